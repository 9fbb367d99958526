import { existsSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startFauxqs } from 'fauxqs';
import { freePort } from './net.js';

/** A running SQS-API server (fauxqs, in this process), speaking the SDK's JSON protocol. */
export interface SqsServer {
  readonly endpoint: string;
  readonly port: number;
  stop(): Promise<void>;
}

/**
 * What SQS refuses in a message body: anything outside #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD |
 * #x10000-#x10FFFF (AWS's SendMessage reference). With the `u` flag a lone surrogate is a code point of
 * its own (refused) while a pair is one supplementary code point (accepted): emoji pass, U+FFFF, NUL
 * and lone surrogates do not.
 */
export const SQS_INVALID_BODY_CHARACTER = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/**
 * fauxqs 1.9 checks message bodies with `/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD]/`, which has no `u`
 * flag and no supplementary range: it refuses every emoji ("Invalid characters found") where SQS accepts
 * it. SendMessage and SendMessageBatch both call `.test` on that one exported RegExp, so giving the
 * instance AWS's test makes fauxqs exactly as strict as SQS, with no edit to node_modules. The module is
 * reached by its file (the package exports only its entry); the same resolved file is the instance fauxqs
 * imports. Fails loudly when a fauxqs upgrade moves it, rather than silently refusing emoji again.
 */
async function alignFauxqsCharacterCheck(): Promise<void> {
  const require = createRequire(import.meta.url);
  const root = (require.resolve.paths('fauxqs') ?? []).map((dir) => join(dir, 'fauxqs')).find((dir) => existsSync(join(dir, 'package.json')));
  const file = root && join(realpathSync(root), 'dist', 'sqs', 'sqsTypes.js');
  if (!file || !existsSync(file)) throw new Error('fauxqs: dist/sqs/sqsTypes.js not found; local/sqs-server.ts must be updated for this fauxqs version');
  const types = (await import(pathToFileURL(file).href)) as { INVALID_MESSAGE_BODY_CHAR?: RegExp };
  const check = types.INVALID_MESSAGE_BODY_CHAR;
  if (!(check instanceof RegExp)) throw new Error('fauxqs: INVALID_MESSAGE_BODY_CHAR not found; local/sqs-server.ts must be updated for this fauxqs version');
  check.test = (body: string) => SQS_INVALID_BODY_CHARACTER.test(body);
}

export async function startSqsServer(options: { port?: number } = {}): Promise<SqsServer> {
  await alignFauxqsCharacterCheck();
  const port = options.port ?? (await freePort());
  const server = await startFauxqs({ port, host: '127.0.0.1', logger: false });
  return {
    endpoint: `http://127.0.0.1:${server.port}`,
    port: server.port,
    stop: () => server.stop(),
  };
}
