import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { callService, ServiceCallRejectedError, ServiceUnavailableError } from '../../../lambdas/shared/http/index.js';
import { backoffDelay } from '../../../lambdas/shared/http/backoffDelay.js';
import { Sha256 } from '../../../lambdas/shared/http/Sha256.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

const credentials = { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret', sessionToken: 'local-token' };
let server: Server;
let baseUrl: string;
let seen: Seen[] = [];
/** Answers to give, in order; the last one repeats. */
let script: Array<(res: ServerResponse) => void> = [];

const answer = (status: number, body?: unknown, headers: Record<string, string> = {}) => (res: ServerResponse) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(body === undefined ? '' : JSON.stringify(body));
};
const fast = { maxAttempts: 4, baseDelayMs: 2, maxDelayMs: 5, totalTimeoutMs: 2_000 };

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const next = script.length > 1 ? script.shift()! : script[0]!;
      next(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/prod`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  seen = [];
  script = [answer(200, { ok: true })];
});

const call = (extra: Partial<Parameters<typeof callService>[0]> = {}) =>
  callService({
    baseUrl,
    method: 'PUT',
    path: '/internal/tasks/0b6c2f3e-8a1d-4c5e-9f7a-1b2c3d4e5f60/rating',
    body: { rating: 4 },
    idempotencyKey: 'rating-1',
    region: 'eu-west-1',
    credentials,
    retry: fast,
    timeoutMs: 5_000, // generous: a busy test machine must not turn a local answer into a retry
    ...extra,
  });

describe('callService', () => {
  it('sends a SigV4-signed JSON request whose signature verifies over what the server received', async () => {
    const response = await call();
    expect(response).toMatchObject({ status: 200, body: { ok: true }, attempts: 1 });
    const [request] = seen;
    expect(request!.method).toBe('PUT');
    expect(request!.url).toBe('/prod/internal/tasks/0b6c2f3e-8a1d-4c5e-9f7a-1b2c3d4e5f60/rating');
    expect(JSON.parse(request!.body)).toEqual({ rating: 4 });
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers['idempotency-key']).toBe('rating-1');
    expect(request!.headers['x-amz-security-token']).toBe('local-token');
    const authorization = request!.headers.authorization!;
    expect(authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDLOCAL\/\d{8}\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=[^,]*host[^,]*, Signature=[0-9a-f]{64}$/);
    expect(authorization).toMatch(/SignedHeaders=[^,]*idempotency-key/);

    // Re-sign what arrived, at the date it claims: the signatures must agree.
    const signedHeaders = /SignedHeaders=([^,]+)/.exec(authorization)![1]!.split(';');
    const amzDate = request!.headers['x-amz-date'] as string;
    const signingDate = new Date(`${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`);
    const headers = Object.fromEntries(signedHeaders.map((name) => [name, String(request!.headers[name])]));
    const resigned = await new SignatureV4({ service: 'execute-api', region: 'eu-west-1', credentials, sha256: Sha256 }).sign(
      { method: 'PUT', protocol: 'http:', hostname: '127.0.0.1', path: request!.url, query: {}, headers, body: request!.body },
      { signingDate },
    );
    expect(resigned.headers.authorization).toBe(authorization);
  });

  it('retries 503 and 429 with backoff, then returns the success', async () => {
    script = [answer(503, { error: { code: 'down' } }), answer(429, {}), answer(201, { done: 1 })];
    const response = await call();
    expect(response).toMatchObject({ status: 201, body: { done: 1 }, attempts: 3 });
    expect(seen).toHaveLength(3);
    // Each attempt is signed anew and carries the same idempotency key.
    expect(new Set(seen.map((s) => s.headers['idempotency-key']))).toEqual(new Set(['rating-1']));
  });

  it('retries a 409 request_in_progress from the callee idempotency layer', async () => {
    script = [answer(409, { error: { code: 'request_in_progress', message: 'busy' } }), answer(200, { ok: 2 })];
    await expect(call()).resolves.toMatchObject({ status: 200, attempts: 2 });
  });

  it('gives up with ServiceUnavailableError after maxAttempts', async () => {
    script = [answer(503, {})];
    const error = await call().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect(error).toMatchObject({ attempts: 4, lastStatus: 503 });
    expect(seen).toHaveLength(4);
  });

  it('gives up when the total time budget is spent, even with attempts left', async () => {
    script = [answer(500, {})];
    const started = Date.now();
    const error = await call({ retry: { maxAttempts: 1000, baseDelayMs: 20, maxDelayMs: 20, totalTimeoutMs: 150 } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect(Date.now() - started).toBeLessThan(5_000); // 1000 attempts 20 ms apart would take 20 s
    expect((error as ServiceUnavailableError).attempts).toBeLessThan(1000);
  });

  it('retries timeouts and network errors, then gives up', async () => {
    script = [() => { /* never answers */ }];
    // Long enough per attempt that each request reaches the server before it times out, even on a busy machine.
    const timedOut = await call({ timeoutMs: 1_000, retry: { ...fast, maxAttempts: 2, totalTimeoutMs: 10_000 } }).catch((e: unknown) => e);
    expect(timedOut).toBeInstanceOf(ServiceUnavailableError);
    expect(timedOut).toMatchObject({ attempts: 2, lastStatus: undefined });
    expect(seen).toHaveLength(2);

    const refused = await call({ baseUrl: 'http://127.0.0.1:1', retry: { ...fast, maxAttempts: 3 } }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ServiceUnavailableError);
    expect(refused).toMatchObject({ attempts: 3 });
  });

  it('does not retry a 400 and throws ServiceCallRejectedError with the answer', async () => {
    script = [answer(400, { error: { code: 'validation_error', message: 'rating must be <= 5', field: 'body.rating' } })];
    const error = await call().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceCallRejectedError);
    expect(error).toMatchObject({ status: 400, code: 'validation_error', body: { error: { field: 'body.rating' } } });
    expect(seen).toHaveLength(1);
  });

  it('sends no body and no content-type on a GET, and parses an empty answer as null', async () => {
    script = [answer(204)];
    const response = await call({ method: 'GET', body: undefined, idempotencyKey: undefined, path: '/managers/x?expand=1' });
    expect(response).toMatchObject({ status: 204, body: null });
    expect(seen[0]!.url).toBe('/prod/managers/x?expand=1');
    expect(seen[0]!.headers['content-type']).toBeUndefined();
    expect(seen[0]!.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 /);
  });

  it('refuses to run without a region', async () => {
    const saved = { a: process.env.AWS_REGION, b: process.env.AWS_DEFAULT_REGION };
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    try {
      await expect(call({ region: undefined })).rejects.toThrow(/needs a region/);
    } finally {
      if (saved.a !== undefined) process.env.AWS_REGION = saved.a;
      if (saved.b !== undefined) process.env.AWS_DEFAULT_REGION = saved.b;
    }
  });
});

describe('backoffDelay', () => {
  it('draws uniformly below an exponential ceiling capped at maxDelayMs', () => {
    const options = { baseDelayMs: 100, maxDelayMs: 1_000 };
    expect([1, 2, 3, 4, 5].map((attempt) => backoffDelay(attempt, options, () => 0.999999))).toEqual([99, 199, 399, 799, 999]);
    expect(backoffDelay(3, options, () => 0)).toBe(0);
  });
});

describe('Sha256', () => {
  it('signs the AWS SigV4 test suite "get-vanilla" request to its published signature', async () => {
    const signer = new SignatureV4({
      service: 'service',
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
      sha256: Sha256,
      // The suite's canonical request has no x-amz-content-sha256 header.
      applyChecksum: false,
    });
    const signed = await signer.sign(
      { method: 'GET', protocol: 'https:', hostname: 'example.amazonaws.com', path: '/', query: {}, headers: { host: 'example.amazonaws.com' } },
      { signingDate: new Date('2015-08-30T12:36:00Z') },
    );
    expect(signed.headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
    );
  });
});
