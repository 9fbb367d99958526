/**
 * The HTTP server under every emulated endpoint (API Gateway, EventBridge): whatever a client sends,
 * it answers and keeps serving.
 *
 * - a request the parser refuses (bad request line, header or method, headers too large, a second
 *   `Content-Length`...) gets the endpoint's JSON error with 400 / 431 instead of Node's bare answer;
 * - an error thrown by the endpoint's handler is a 500 for that request only (it is logged, never left
 *   as an unhandled rejection that ends the process);
 * - a client that disconnects mid-request only loses its own request.
 *
 * @example
 * const http = await startLocalHttpServer({
 *   owner: 'local EventBridge',
 *   handle: (req, res) => emulator.handle(req, res),
 *   errorReply: (status, message) => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message }) }),
 *   log: (m) => process.stderr.write(`${m}\n`),
 * });
 */
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { assertPortFree } from './net.js';

/** An error answer in the endpoint's own shape. */
export interface ErrorReply {
  readonly headers: Record<string, string>;
  readonly body: string;
}

export interface LocalHttpServerOptions {
  /** Port to listen on (127.0.0.1); a free one when omitted. */
  readonly port?: number;
  /** Named in the "port in use" error and in logs. */
  readonly owner: string;
  /** Answers one request. A rejection becomes a 500 for that request. */
  readonly handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  /** The endpoint's JSON error for `status` (400, 408, 431, 500...). */
  readonly errorReply: (status: number, message: string) => ErrorReply;
  readonly log: (message: string) => void;
}

export interface LocalHttpServer {
  readonly server: Server;
  readonly port: number;
  stop(): Promise<void>;
}

/** Parser error codes (llhttp) and what a client is told. */
function clientErrorStatus(error: NodeJS.ErrnoException): number {
  if (error.code === 'HPE_HEADER_OVERFLOW') return 431;
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return 408;
  return 400;
}

export async function startLocalHttpServer(options: LocalHttpServerOptions): Promise<LocalHttpServer> {
  if (options.port) await assertPortFree(options.port, options.owner);
  const server = createServer();
  // Idle keep-alive connections outlive the clients' own idle timers (undici: the server's hint minus 1 s),
  // so a client never reuses a connection the server is closing at that moment (ECONNRESET on a busy machine).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    // A reset from the client must not surface as an 'error' event nobody listens to.
    req.on('error', () => undefined);
    res.on('error', () => undefined);
    options.handle(req, res).catch((error: unknown) => {
      const err = error instanceof Error ? error : new Error(String(error));
      options.log(`${options.owner}: ${req.method} ${req.url}: unexpected error: ${err.stack ?? err.message}`);
      if (res.headersSent || res.destroyed) {
        res.destroy();
        return;
      }
      const reply = options.errorReply(500, 'Internal server error');
      res.writeHead(500, reply.headers).end(reply.body);
    });
  });

  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = clientErrorStatus(error);
    const reply = options.errorReply(status, STATUS_CODES[status] ?? 'Bad Request');
    const headers = { ...reply.headers, 'content-length': String(Buffer.byteLength(reply.body)), connection: 'close' };
    const head = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${head}\r\n${reply.body}`);
  });

  return {
    server,
    port,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
