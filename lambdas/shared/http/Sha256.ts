import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';

type Data = string | ArrayBuffer | ArrayBufferView;

/**
 * SHA-256 / HMAC-SHA-256 in the shape `@smithy/signature-v4` expects (`new Sha256(secret?)`,
 * `update`, async `digest`), backed by `node:crypto` so no extra crypto package is bundled.
 */
export class Sha256 {
  private readonly hash: Hash | Hmac;

  public constructor(secret?: Data) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', toBuffer(secret));
  }

  public update(data: Data): void {
    this.hash.update(toBuffer(data));
  }

  public async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

function toBuffer(data: Data): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}
