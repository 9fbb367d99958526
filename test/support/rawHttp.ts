import { connect } from 'node:net';

/** What came back on a raw connection: the status (when a response line arrived) and the whole text. */
export interface RawAnswer {
  readonly status?: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly raw: string;
}

/**
 * Sends `bytes` as they are on a fresh TCP connection to `origin` (`http://127.0.0.1:port`) and reads
 * until the server closes or `timeoutMs` passes. `abortAfterWrite` resets the connection right after
 * writing (a client that disconnects mid-request): the answer is then whatever arrived, usually nothing.
 * For what `fetch` will not send: broken request lines and headers, lying Content-Length, aborts.
 */
export function rawRequest(origin: string, bytes: Buffer | string, options: { abortAfterWrite?: boolean; timeoutMs?: number } = {}): Promise<RawAnswer> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host: hostname, port: Number(port) });
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      const raw = Buffer.concat(chunks).toString('utf8');
      const [head = '', ...rest] = raw.split('\r\n\r\n');
      const [statusLine = '', ...headerLines] = head.split('\r\n');
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1];
      const headers = Object.fromEntries(headerLines.map((l) => [l.slice(0, l.indexOf(':')).trim().toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      const body = rest.join('\r\n\r\n');
      resolve({ status: status ? Number(status) : undefined, headers, body: /chunked/i.test(headers['transfer-encoding'] ?? '') ? dechunk(body) : body, raw });
    };
    // Generous: a busy machine answers slowly; the server closes every error answer itself.
    const timer = setTimeout(done, options.timeoutMs ?? 10_000);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      // A complete answer with Content-Length: no need to wait for a keep-alive connection to close.
      const received = Buffer.concat(chunks);
      const end = received.indexOf('\r\n\r\n');
      const length = end < 0 ? undefined : /\r\ncontent-length:\s*(\d+)/i.exec(received.subarray(0, end).toString('latin1'))?.[1];
      if (length !== undefined && received.length - end - 4 >= Number(length)) done();
    });
    socket.on('error', done);
    socket.on('close', done);
    socket.on('connect', () => {
      socket.write(bytes, () => {
        if (options.abortAfterWrite) socket.resetAndDestroy();
      });
    });
  });
}

/** The payload of a `Transfer-Encoding: chunked` body (`<hex size>\r\n<data>\r\n` ... `0\r\n\r\n`). */
function dechunk(text: string): string {
  let out = '';
  let at = 0;
  for (;;) {
    const lineEnd = text.indexOf('\r\n', at);
    if (lineEnd < 0) return out;
    const size = parseInt(text.slice(at, lineEnd), 16);
    if (!Number.isFinite(size) || size === 0) return out;
    out += text.slice(lineEnd + 2, lineEnd + 2 + size);
    at = lineEnd + 2 + size + 2;
  }
}

/** A small seeded PRNG (mulberry32): the same seed gives the same sequence, so a failing run reproduces. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
