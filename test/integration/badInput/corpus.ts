import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SQSRecord } from 'aws-lambda';
import { repoPath } from '../../../lib/constructs/paths.js';
import { eventSource } from '../../../lambdas/shared/messaging/constants.js';
import type { ServiceName } from '../../../lambdas/shared/registry/index.js';
import type { ApiRequest } from '../support/apiEvent.js';
import type { LooseJson as Json } from '../../../local/looseJson.js';

/** The bad-input corpus (`test/fixtures/bad-input/`, see its README). */
const DIR = repoPath('test/fixtures/bad-input');
const EVENTS_DIR = repoPath('test/fixtures/events');


export interface RequestCase {
  readonly name: string;
  readonly service: ServiceName;
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly resource: string;
  readonly pathParameters?: Record<string, string>;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
  readonly rawBody?: string;
  readonly hugeBody?: { readonly field: string; readonly bytes: number; readonly base?: Record<string, unknown> };
  readonly expect: { readonly status: number; readonly code: string; readonly field?: string | null; readonly message?: string };
}

export interface EventCase {
  readonly name: string;
  readonly consumer: ServiceName;
  readonly rawBody?: string;
  readonly base?: string;
  readonly set?: Record<string, unknown>;
  readonly unset?: readonly string[];
  readonly wrap?: 'eventbridge' | 'bare' | 'no-detail' | 'detail-string';
  readonly expect: { readonly reason: string };
}

export const requestCases = (): RequestCase[] => JSON.parse(readFileSync(join(DIR, 'requests.json'), 'utf8')) as RequestCase[];
export const eventCases = (): EventCase[] => JSON.parse(readFileSync(join(DIR, 'events.json'), 'utf8')) as EventCase[];

/** `"$uuid"` -> a fresh uuid v4; `{ "$repeat": s, "times": n }` -> `s` repeated n times; recursively. */
export function expand(value: unknown): Json {
  if (value === '$uuid') return randomUUID();
  if (Array.isArray(value)) return value.map(expand);
  if (value && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    if (typeof object.$repeat === 'string' && typeof object.times === 'number') return object.$repeat.repeat(object.times);
    return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, expand(v)]));
  }
  return value;
}

/** The API request a case describes (see the corpus README). */
export function requestOf(c: RequestCase): ApiRequest {
  let body: unknown;
  if (c.rawBody !== undefined) body = c.rawBody;
  else if (c.hugeBody) body = JSON.stringify({ ...expand(c.hugeBody.base ?? {}), [c.hugeBody.field]: 'x'.repeat(c.hugeBody.bytes) });
  else if (c.body !== undefined) body = JSON.stringify(expand(c.body));
  return {
    method: c.method as ApiRequest['method'],
    resource: c.resource,
    pathParameters: expand(c.pathParameters ?? {}),
    headers: c.headers,
    body,
  };
}

/** A valid event of `test/fixtures/events/<base>.json` with a fresh `event_id`. */
export function fixtureEvent(base: string): Json {
  const event = JSON.parse(readFileSync(join(EVENTS_DIR, `${base}.json`), 'utf8')) as Json;
  return { ...event, event_id: randomUUID() };
}

function setPath(target: Json, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) node = node[key];
  node[keys.at(-1)!] = value;
}

function unsetPath(target: Json, path: string): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) node = node[key];
  delete node[keys.at(-1)!];
}

/** The EventBridge event an `EventConsumer` rule puts on its queue for `detail`. */
export function eventBridgeEvent(detail: Json): Json {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': typeof detail?.event_name === 'string' ? detail.event_name : 'Unknown',
    source: eventSource(typeof detail?.producer === 'string' ? detail.producer : 'hiring'),
    account: '000000000000',
    time: new Date().toISOString(),
    region: 'us-east-1',
    resources: [],
    detail,
  };
}

/** The SQS body a case describes (see the corpus README). */
export function bodyOf(c: EventCase): string {
  if (c.rawBody !== undefined) return c.rawBody;
  if (!c.base) throw new Error(`${c.name}: neither rawBody nor base`);
  const envelope = fixtureEvent(c.base);
  for (const [path, value] of Object.entries(c.set ?? {})) setPath(envelope, path, expand(value));
  for (const path of c.unset ?? []) unsetPath(envelope, path);
  switch (c.wrap ?? 'eventbridge') {
    case 'eventbridge':
      return JSON.stringify(eventBridgeEvent(envelope));
    case 'bare':
      return JSON.stringify(envelope);
    case 'no-detail': {
      const { detail: _detail, ...rest } = eventBridgeEvent(envelope);
      return JSON.stringify(rest);
    }
    case 'detail-string':
      return JSON.stringify({ ...eventBridgeEvent(envelope), detail: JSON.stringify(envelope) });
  }
}

/** The SQS record the event source mapping hands the consumer for `body`. */
export function sqsRecord(body: string, queueArn: string): SQSRecord {
  return {
    messageId: randomUUID(),
    receiptHandle: `bad-input-${randomUUID()}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(Date.now()),
      SenderId: 'AIDAEVENTBRIDGE',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: 'us-east-1',
  };
}
