import { randomUUID } from 'node:crypto';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest, seededRandom, type RawAnswer } from '../../support/rawHttp.js';
import { startSystem, type SystemUnderTest } from '../../e2e/system.js';
import type { LooseJsonObject } from '../../../local/looseJson.js';

/**
 * Hostile clients against the offline runtime booted from the real app: the requests that used to take
 * it down (a bad percent-escape, a body cut short by a disconnect), malformed HTTP, then a bounded
 * seeded fuzz (random paths, methods, headers, bodies, aborted connections) on every emulated endpoint.
 * Each answer is JSON in the endpoint's error shape, and afterwards everything still serves.
 * `FUZZ_SEED=<n>` replays a run; `FUZZ_REQUESTS=<n>` changes its size.
 */
const local = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } as const;
const SEED = Number(process.env.FUZZ_SEED ?? 20261202);
const FUZZ_REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 240);

/** Names this suite's run log, `.local/e2e/<suite>.log`. */
const SUITE = 'hostile';
let system: SystemUnderTest;
let origins: { hiring: string; tasks: string; bonus: string; eventbridge: string };
let stage: string;

beforeAll(async () => {
  system = await startSystem(SUITE);
  if (system.mode !== 'local' || !system.services) throw new Error('hostile.test.ts runs against the offline runtime only');
  const hiring = new URL(system.endpoints.hiring);
  stage = hiring.pathname.split('/')[1]!;
  origins = { hiring: hiring.origin, tasks: new URL(system.endpoints.tasks).origin, bonus: new URL(system.endpoints.bonus).origin, eventbridge: system.services.eventbridge };
}, 180_000);

afterAll(async () => {
  await system?.stop();
});

const request = (method: string, path: string, headers: Record<string, string>, body: Buffer | string = '') =>
  Buffer.concat([
    Buffer.from(`${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`, 'latin1'),
    Buffer.isBuffer(body) ? body : Buffer.from(body),
  ]);
const json = (answer: RawAnswer) => JSON.parse(answer.body) as LooseJsonObject;

async function stillServes(): Promise<void> {
  const created = await system.api.request('hiring', 'POST', '/candidates', { body: { name: 'Still', surname: 'Here' } });
  expect(created.status).toBe(201);
  expect((await system.api.request('hiring', 'GET', `/candidates/${created.body.candidate_uid}`)).status).toBe(200);
  expect((await system.api.request('bonus', 'GET', `/managers/${randomUUID()}/balance`)).status).toBe(404);
  expect((await system.api.request('tasks', 'GET', `/managers/${randomUUID()}`)).status).toBe(404);
  const events = new EventBridgeClient({ ...local, endpoint: origins.eventbridge, maxAttempts: 1 });
  const sqs = new SQSClient({ ...local, endpoint: system.services!.sqs, maxAttempts: 1 });
  try {
    const put = await events.send(new PutEventsCommand({ Entries: [{ Source: 'hostile.test', DetailType: 'Probe', Detail: '{}' }] }));
    expect(put.FailedEntryCount).toBe(0);
    expect((await sqs.send(new ListQueuesCommand({}))).QueueUrls?.length).toBeGreaterThan(0);
  } finally {
    events.destroy();
    sqs.destroy();
  }
}

describe('the offline runtime under hostile input', () => {
  it('answers what used to crash it, in the API error shape, and keeps serving', async () => {
    // A bad percent-escape: URIError in the router before.
    const badEscape = await fetch(`${system.endpoints.hiring}candidates/%zz`);
    expect(badEscape.status).toBe(400);
    expect(await badEscape.json()).toEqual({ error: { code: 'invalid_parameters', message: expect.stringContaining('percent-encoding') } });

    // Content-Length 100, 11 bytes, then a reset: an unhandled rejection in readBody before.
    const cut = await rawRequest(origins.hiring, request('POST', `/${stage}/candidates`, { 'Content-Type': 'application/json', 'Content-Length': '100' }, '{"name":"a"'), { abortAfterWrite: true });
    expect(cut.status).toBeUndefined();
    const cutBus = await rawRequest(origins.eventbridge, request('POST', '/', { 'X-Amz-Target': 'AWSEvents.PutEvents', 'Content-Length': '100' }, '{"Entries":'), { abortAfterWrite: true });
    expect(cutBus.status).toBeUndefined();

    await stillServes();
  }, 120_000);

  it('answers malformed HTTP with JSON 4xx: bad header, bad method, huge headers, lying or huge Content-Length, invalid UTF-8', async () => {
    const path = `/${stage}/candidates/${randomUUID()}`;
    for (const origin of [origins.hiring, origins.eventbridge]) {
      const badHeader = await rawRequest(origin, `GET ${path} HTTP/1.1\r\nHost: x\r\nBad Header: yes\r\n\r\n`);
      expect(badHeader.status).toBe(400);
      expect(badHeader.headers['content-type']).toMatch(/json/);
      expect(() => JSON.parse(badHeader.body)).not.toThrow();

      const badMethod = await rawRequest(origin, `FR0B ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
      expect(badMethod.status).toBe(400);
      expect(() => JSON.parse(badMethod.body)).not.toThrow();

      const hugeHeaders = await rawRequest(origin, `GET ${path} HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
      expect(hugeHeaders.status).toBe(431);
      expect(() => JSON.parse(hugeHeaders.body)).not.toThrow();

      const twoLengths = await rawRequest(origin, `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}`);
      expect(twoLengths.status).toBe(400);
    }
    const gateway = await rawRequest(origins.hiring, `GET ${path} HTTP/1.1\r\nHost: x\r\nBad Header: yes\r\n\r\n`);
    expect(json(gateway)).toEqual({ error: { code: 'DEFAULT_4XX', message: 'Bad Request' } });
    const bus = await rawRequest(origins.eventbridge, `GET / HTTP/1.1\r\nHost: x\r\nBad Header: yes\r\n\r\n`);
    expect(json(bus)).toEqual({ __type: 'SerializationException', message: 'Bad Request' });

    // API Gateway's 10 MB payload limit, announced: refused before the body is read.
    const tooLarge = await rawRequest(origins.hiring, request('POST', `/${stage}/candidates`, { 'Content-Type': 'application/json', 'Content-Length': String(11 * 1024 * 1024), Connection: 'close' }, '{}'));
    expect(tooLarge.status).toBe(413);
    expect(json(tooLarge)).toEqual({ error: { code: 'REQUEST_TOO_LARGE', message: 'Request Too Long' } });

    // Bytes that are not UTF-8 are refused, not turned into U+FFFD.
    const invalidUtf8 = Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('","surname":"x"}')]);
    const notUtf8 = await rawRequest(origins.hiring, request('POST', `/${stage}/candidates`, { 'Content-Type': 'application/json', 'Content-Length': String(invalidUtf8.length), Connection: 'close' }, invalidUtf8));
    expect(notUtf8.status).toBe(400);
    expect(json(notUtf8)).toEqual({ error: { code: 'invalid_body', message: 'Invalid request body: not valid UTF-8' } });
    const busUtf8 = Buffer.concat([Buffer.from('{"Entries":[{"Source":"'), Buffer.from([0xff]), Buffer.from('","DetailType":"x","Detail":"{}"}]}')]);
    const notUtf8Bus = await rawRequest(origins.eventbridge, request('POST', '/', { 'X-Amz-Target': 'AWSEvents.PutEvents', 'Content-Length': String(busUtf8.length), Connection: 'close' }, busUtf8));
    expect(notUtf8Bus.status).toBe(400);
    expect(json(notUtf8Bus)).toMatchObject({ __type: 'SerializationException' });

    // Members of the wrong type: a 400 naming the entry, not a TypeError.
    const shapes = JSON.stringify({ Entries: [{ Source: 's', DetailType: 'd', Detail: '{}' }, { Source: 's', DetailType: 'd', Detail: '{}', Resources: 'not-a-list' }] });
    const wrongShape = await rawRequest(origins.eventbridge, request('POST', '/', { 'X-Amz-Target': 'AWSEvents.PutEvents', 'Content-Length': String(Buffer.byteLength(shapes)), Connection: 'close' }, shapes));
    expect(wrongShape.status).toBe(400);
    expect(json(wrongShape)).toEqual({ __type: 'SerializationException', message: 'Entries[1]: Resources must be a list of strings' });

    await stillServes();
  }, 120_000);

  it(`survives ${FUZZ_REQUESTS} seeded random requests (seed ${SEED}) and still serves`, async () => {
    const random = seededRandom(SEED);
    const pick = <T,>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const uuid = () => '00000000-0000-4000-8000-000000000000'.replace(/0/g, () => Math.floor(random() * 16).toString(16));
    const segments = ['candidates', 'tasks', 'managers', 'rating', 'solutions', 'assignments', 'internal', 'balance', 'ledger', 'update-requests', '%zz', '%', '%00', '%C3%28', '%F0%9F%98%80', '..', '.', '', 'a'.repeat(3000), '{proxy+}', '\u00e9'];
    const methods = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'CONNECT', 'TRACE', 'BREW', 'get'];
    const contentTypes = ['application/json', 'application/json; charset=utf-8', 'text/plain', 'application/octet-stream', 'application/x-amz-json-1.1', 'multipart/form-data; boundary=x', '', '\u0001'];
    const bodies: Array<() => Buffer> = [
      () => Buffer.alloc(0),
      () => Buffer.from(JSON.stringify({ name: 'Fuzz', surname: 'Er' })),
      () => Buffer.from(JSON.stringify({ name: '\u0000', surname: '\ud800', rating: Number.POSITIVE_INFINITY, candidate_uid: uuid(), payout_account: 'ACC-\u{1F600}' })),
      () => Buffer.from(JSON.stringify({ Entries: [{ Source: 'fuzz', DetailType: 'x', Detail: JSON.stringify({ a: random() }) }] })),
      () => Buffer.from(JSON.stringify({ Entries: [null, 7, 'x', { Source: 5 }] })),
      () => Buffer.from('{"unterminated": '),
      () => Buffer.from(Array.from({ length: 64 }, () => Math.floor(random() * 256))),
      () => Buffer.from('['.repeat(5000)),
      () => Buffer.from(JSON.stringify({ big: 'x'.repeat(200_000) })),
    ];
    const targets = ['hiring', 'tasks', 'bonus', 'eventbridge'] as const;

    const one = async () => {
      const target = pick(targets);
      const method = pick(methods);
      const path = target === 'eventbridge' && random() < 0.6 ? '/' : `/${random() < 0.8 ? stage : pick(segments)}/${Array.from({ length: 1 + Math.floor(random() * 4) }, () => (random() < 0.3 ? uuid() : pick(segments))).join('/')}`;
      const body = pick(bodies)();
      const headers: Record<string, string> = {};
      const contentType = pick(contentTypes);
      if (contentType) headers['Content-Type'] = contentType;
      if (target === 'eventbridge') headers['X-Amz-Target'] = pick(['AWSEvents.PutEvents', 'AWSEvents.ListRules', '']);
      const lie = random();
      const short = lie < 0.1; // announces more than it sends: the server rightly waits for the rest
      headers['Content-Length'] = String(short ? body.length + 1 + Math.floor(random() * 100) : lie < 0.15 ? Math.max(0, body.length - 3) : body.length);
      if (random() < 0.2) headers[pick(['Idempotency-Key', 'X-Forwarded-For', 'Accept', 'Transfer-Encoding', 'Expect'])] = pick(['x', '', 'chunked', '100-continue', 'a'.repeat(200), 'é']);
      const abort = random() < 0.1;
      const bytes = request(method, path, { ...headers, Connection: 'close' }, body);
      // No answer is expected to a short body, so the wait for one is short; a complete request gets a generous one.
      const answer = await rawRequest(origins[target], abort ? bytes.subarray(0, Math.floor(random() * bytes.length)) : bytes, { abortAfterWrite: abort, timeoutMs: short || abort ? 1_000 : 30_000 });
      return { target, method, path: path.slice(0, 120), abort, answer };
    };

    const results: Array<Awaited<ReturnType<typeof one>>> = [];
    const workers = Array.from({ length: 6 }, async () => {
      while (results.length < FUZZ_REQUESTS) {
        const slot = results.length;
        results[slot] = undefined as never;
        results[slot] = await one();
      }
    });
    await Promise.all(workers);

    const answered = results.filter((r) => r.answer.status !== undefined);
    const describeResult = (r: (typeof results)[number]) => `${r.target} ${r.method} ${r.path} -> ${r.answer.status} ${r.answer.body.slice(0, 160)}`;
    // A server error for client input is a bug in the emulator or in a handler; the seed replays it.
    expect(answered.filter((r) => r.answer.status! >= 500).map(describeResult), `seed ${SEED}`).toEqual([]);
    const notJson = answered.filter((r) => r.method !== 'HEAD' && r.answer.status !== 204 && r.answer.body !== '' && !isJson(r.answer.body));
    expect(notJson.map(describeResult), `seed ${SEED}`).toEqual([]);
    // Most complete requests get an answer (a lying Content-Length may leave the server waiting for more).
    expect(answered.length).toBeGreaterThan(FUZZ_REQUESTS / 2);
    expect(system.logs.filter((l) => /unexpected error/.test(l))).toEqual([]);

    await stillServes();
  }, 120_000);
});

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
