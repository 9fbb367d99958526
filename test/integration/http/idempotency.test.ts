import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand, QueryCommand, ScanCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { createHttpApi, withIdempotencyKey, type HttpRequest, type HttpResponse } from '../../../lambdas/shared/http/index.js';
import { createManager } from '../../fixtures/http/generated/validators.js';
import { localClients, uniqueName } from '../../support/aws.js';
import { createServiceTable } from '../../support/serviceTable.js';
import { apiEvent, bodyOf, silentLogger } from '../../unit/http/helpers/factories.js';

interface CreateManager {
  name: string;
  surname: string;
  login: string;
  payout_account: string;
}

const { dynamodb, doc } = localClients();
const table = uniqueName('http-idempotency');
const manager: CreateManager = { name: 'Ada', surname: 'Lovelace', login: 'ada', payout_account: 'GB00-1' };

beforeAll(async () => {
  await createServiceTable(dynamodb, table);
});

/** A tasks-like API whose POST /managers writes the manager and the idempotency record in one transaction. */
function managersApi(client: DynamoDBDocumentClient, options: { gate?: Promise<void>; now?: () => number } = {}) {
  const effect = vi.fn();
  const handler = createHttpApi({
    logger: silentLogger(),
    idempotency: { tableName: table, client, now: options.now },
    routes: [
      {
        method: 'POST',
        path: '/managers',
        bodySchema: createManager,
        handler: async ({ body, idempotency }: HttpRequest<CreateManager>) => {
          effect(body);
          await options.gate;
          const manager_uid = randomUUID();
          const response: HttpResponse = { status: 201, body: { manager_uid } };
          await client.send(
            new TransactWriteCommand({
              TransactItems: [
                { Put: { TableName: table, Item: { pk: `MANAGER#${manager_uid}`, sk: 'MANAGER', login: body.login }, ConditionExpression: 'attribute_not_exists(pk)' } },
                ...(idempotency ? [idempotency.recordItem(response)] : []),
              ],
            }),
          );
          return response;
        },
      },
    ],
  });
  return { handler, effect };
}

const post = (key: string, body: unknown = manager) =>
  apiEvent({ method: 'POST', path: '/managers', body, headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key } });

/** How many managers carry `login` (logins are unique per test). */
async function managersWithLogin(login: string): Promise<number> {
  const { Items } = await doc.send(
    new ScanCommand({ TableName: table, FilterExpression: 'login = :login', ExpressionAttributeValues: { ':login': login } }),
  );
  return Items?.length ?? 0;
}

async function managerExists(uid: string): Promise<boolean> {
  const { Item } = await doc.send(new GetCommand({ TableName: table, Key: { pk: `MANAGER#${uid}`, sk: 'MANAGER' } }));
  return Item !== undefined;
}

describe('Idempotency-Key against DynamoDB Local', () => {
  it('same key twice: the handler runs once and both answers are the same', async () => {
    const { handler, effect } = managersApi(doc);
    const key = randomUUID();
    const first = await handler(post(key));
    const second = await handler(post(key, { payout_account: 'GB00-1', login: 'ada', surname: 'Lovelace', name: 'Ada' }));
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(bodyOf(second)).toEqual(bodyOf(first));
    expect(second.headers).toMatchObject({ 'idempotent-replayed': 'true' });
    expect(effect).toHaveBeenCalledTimes(1);
    expect(await managerExists(bodyOf(first).manager_uid)).toBe(true);
    const { Item } = await doc.send(new GetCommand({ TableName: table, Key: { pk: `IDEMPOTENCY#POST /managers#${key}`, sk: 'IDEMPOTENCY' } }));
    expect(Item).toMatchObject({ status: 'COMPLETED', response_status: 201 });
    expect(Item!.expires_at).toBeGreaterThan(Date.now() / 1000 + 86_000);
    expect(Item!.claim_token).toBeUndefined();
  });

  it('same key with another body: 422 idempotency_key_reused, no second effect', async () => {
    const { handler, effect } = managersApi(doc);
    const key = randomUUID();
    expect((await handler(post(key))).statusCode).toBe(201);
    const reused = await handler(post(key, { ...manager, login: 'grace' }));
    expect(reused.statusCode).toBe(422);
    expect(bodyOf(reused).error).toMatchObject({ code: 'idempotency_key_reused', field: 'headers.Idempotency-Key' });
    expect(effect).toHaveBeenCalledTimes(1);
  });

  it('the same key on another route is another request', async () => {
    const key = randomUUID();
    const { handler } = managersApi(doc);
    await handler(post(key));
    const other = await withIdempotencyKey({ tableName: table, client: doc }, { route: 'POST /tasks', key, fingerprint: {} }, async () => ({ status: 201, body: { other: true } }));
    expect(other).toEqual({ status: 201, body: { other: true } });
  });

  it('a concurrent duplicate gets 409 request_in_progress, then the stored answer', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const { handler, effect } = managersApi(doc, { gate });
    const key = randomUUID();
    const first = handler(post(key));
    await vi.waitFor(() => expect(effect).toHaveBeenCalledTimes(1));
    const duplicate = await handler(post(key));
    expect(duplicate.statusCode).toBe(409);
    expect(bodyOf(duplicate).error.code).toBe('request_in_progress');
    open();
    const done = await first;
    const retry = await handler(post(key));
    expect(bodyOf(retry)).toEqual(bodyOf(done));
    expect(effect).toHaveBeenCalledTimes(1);
  });

  it('a handler error releases the claim: the retry runs the handler', async () => {
    const key = randomUUID();
    const config = { tableName: table, client: doc };
    const request = { route: 'POST /x', key, fingerprint: { a: 1 } };
    await expect(withIdempotencyKey(config, request, async () => { throw new Error('transient'); })).rejects.toThrow('transient');
    const run = vi.fn(async () => ({ status: 201, body: { ok: true } }));
    await expect(withIdempotencyKey(config, request, run)).resolves.toEqual({ status: 201, body: { ok: true } });
    expect(run).toHaveBeenCalledOnce();
  });

  it('a handler that writes nothing gets its answer recorded after it returns', async () => {
    const key = randomUUID();
    const config = { tableName: table, client: doc };
    const request = { route: 'POST /read-only', key, fingerprint: { q: 1 } };
    const run = vi.fn(async () => ({ status: 200, body: { n: 1 } }));
    await withIdempotencyKey(config, request, run);
    await expect(withIdempotencyKey(config, request, run)).resolves.toMatchObject({ status: 200, body: { n: 1 } });
    expect(run).toHaveBeenCalledOnce();
  });

  it('an expired record that TTL has not deleted yet counts as absent', async () => {
    const key = randomUUID();
    const route = 'POST /expired';
    const fingerprint = { b: 1 };
    await doc.send(
      new PutCommand({
        TableName: table,
        Item: { pk: `IDEMPOTENCY#${route}#${key}`, sk: 'IDEMPOTENCY', status: 'COMPLETED', request_hash: 'old', expires_at: Math.floor(Date.now() / 1000) - 1, response_status: 201, response_body: '{}' },
      }),
    );
    const run = vi.fn(async () => ({ status: 201, body: { fresh: true } }));
    await expect(withIdempotencyKey({ tableName: table, client: doc }, { route, key, fingerprint }, run)).resolves.toEqual({ status: 201, body: { fresh: true } });
    expect(run).toHaveBeenCalledOnce();
  });

  it('crash safety: a stale claim is taken over, and the stalled invocation cannot apply its effect a second time', async () => {
    let clock = Date.now();
    const now = () => clock;
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const stalled = managersApi(doc, { gate, now });
    const key = randomUUID();
    const login = `crash-${key.slice(0, 8)}`;
    const body = { ...manager, login };

    // Invocation A claims and stalls before its transaction (as if frozen, or about to time out).
    const first = stalled.handler(post(key, body));
    await vi.waitFor(() => expect(stalled.effect).toHaveBeenCalledTimes(1));
    expect((await stalled.handler(post(key, body))).statusCode).toBe(409);

    // After the lock expires a retry (invocation B) takes the claim over and completes.
    clock += 61_000;
    const retry = managersApi(doc, { now });
    const second = await retry.handler(post(key, body));
    expect(second.statusCode).toBe(201);

    // A wakes up: its transaction carries the record conditioned on its (lost) claim, so it fails
    // whole and A's manager is never written.
    open();
    const late = await first;
    expect(late.statusCode).toBe(500);
    const { Items } = await doc.send(
      new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `IDEMPOTENCY#POST /managers#${key}` } }),
    );
    expect(Items).toHaveLength(1);
    expect(await managersWithLogin(login)).toBe(1);
    expect(JSON.parse(Items![0]!.response_body as string)).toEqual(bodyOf(second));
    // Any later retry replays B's answer.
    expect(bodyOf(await retry.handler(post(key, body)))).toEqual(bodyOf(second));
  });

});
