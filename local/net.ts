import type { IncomingMessage } from 'node:http';
import { createServer } from 'node:net';

/** A TCP port that is free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Throws a clear error when `port` is already taken on 127.0.0.1. */
export function assertPortFree(port: number, owner: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`Port ${port} (${owner}) is already in use: stop the process holding it or choose another port.`)
          : error,
      );
    });
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
  });
}

export interface WaitForOptions {
  readonly timeoutMs?: number;
  readonly intervalMs?: number;
  /** Named in the timeout error. */
  readonly what?: string;
}

/**
 * Polls `probe` until it returns a truthy value (errors count as "not yet").
 * Used instead of fixed sleeps: it returns as soon as the condition holds.
 */
export async function waitFor<T>(probe: () => Promise<T | undefined | false | null> | T | undefined | false | null, options: WaitForOptions = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const intervalMs = options.intervalMs ?? 25;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const reason = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${options.what ?? 'condition'}${reason}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Why a request body could not be read: it announced or sent more than allowed, or the client went away. */
export class RequestBodyError extends Error {
  constructor(
    readonly reason: 'too-large' | 'aborted',
    message: string,
  ) {
    super(message);
    this.name = 'RequestBodyError';
  }
}

/**
 * The whole body of an incoming HTTP request, at most `maxBytes` long. Rejects with a
 * {@link RequestBodyError} (never throws past the caller's `await`) when the client announces or
 * sends more, or disconnects before the end (e.g. `Content-Length: 100`, 11 bytes, then a reset).
 */
export function readBody(req: IncomingMessage, maxBytes = Number.POSITIVE_INFINITY): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const announced = Number(req.headers['content-length']);
    if (Number.isFinite(announced) && announced > maxBytes) {
      reject(new RequestBodyError('too-large', `request body of ${announced} bytes exceeds ${maxBytes} bytes`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (error?: RequestBodyError) => {
      if (settled) return;
      settled = true;
      req.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
      if (error) reject(error);
      else resolve(Buffer.concat(chunks));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) settle(new RequestBodyError('too-large', `request body exceeds ${maxBytes} bytes`));
      else chunks.push(chunk);
    };
    const onEnd = () => settle();
    const onError = (error: Error) => settle(new RequestBodyError('aborted', `request body not received: ${error.message}`));
    // 'close' before 'end': the connection went away mid-body (Node reports 'aborted' and may emit no 'error').
    const onClose = () => settle(req.complete ? undefined : new RequestBodyError('aborted', 'client disconnected before the end of the request body'));
    req.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}
