import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createBonusApi } from '../../../lambdas/bonus/createBonusApi.js';
import { bonusKeys } from '../../../lambdas/bonus/keys.js';
import { ROUTES } from '../../../lambdas/bonus/routes.js';
import type { LedgerAnswer } from '../../../lambdas/bonus/types.js';
import { apiEvent, parseResult, type RequestOptions } from '../../fixtures/hiring/factories.js';
import { silentLogger } from '../http/helpers/factories.js';

const TABLE = 'bonus';
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }));
const ddb = mockClient(DynamoDBDocumentClient);
const api = createBonusApi({ doc, tableName: TABLE, logger: silentLogger() });
const call = async <T = Record<string, unknown>>(method: string, path: string, options: RequestOptions & { query?: Record<string, string> } = {}) =>
  parseResult<T>(await api({ ...apiEvent(method, path, options), queryStringParameters: options.query ?? null }));

beforeEach(() => ddb.reset());

describe('bonus API on mocked DynamoDB', () => {
  it('serves every declared route (none answers 404/405 from the router)', async () => {
    ddb.onAnyCommand().resolves({});
    for (const route of ROUTES) {
      const answer = await call<{ error?: { code: string } }>(route.method, route.path.replace(/\{[a-z_]+\}/g, randomUUID()), { body: {} });
      expect(answer.body?.error?.code, `${route.method} ${route.path}`).not.toMatch(/^(route_not_found|method_not_allowed)$/);
    }
  });

  it('PUT /internal/tasks/{uid}/rating adds the version to the history with one conditional update', async () => {
    const taskUid = randomUUID();
    ddb.on(UpdateCommand).resolves({});
    const answer = await call('PUT', `/internal/tasks/${taskUid}/rating`, { body: { task_uid: taskUid, rating: 4, version: 2, rated_at: '2026-03-01T10:00:00.000Z' } });
    expect(answer).toMatchObject({ status: 200, body: { task_uid: taskUid, applied: true } });
    expect(ddb.commandCalls(UpdateCommand)[0]!.args[0].input).toMatchObject({ TableName: TABLE, Key: bonusKeys.rating(taskUid) });
  });

  it('PUT /internal/tasks/{uid}/rating answers 400 naming body.task_uid when the body names another task', async () => {
    const answer = await call('PUT', `/internal/tasks/${randomUUID()}/rating`, { body: { task_uid: randomUUID(), rating: 4, version: 1, rated_at: '2026-03-01T10:00:00.000Z' } });
    expect(answer).toMatchObject({ status: 400, body: { error: { field: 'body.task_uid' } } });
    expect(ddb.calls()).toHaveLength(0);
  });

  it('GET /managers/{uid}/balance answers the stored balance, 404 for a manager it never heard of', async () => {
    const known = randomUUID();
    ddb.on(GetCommand).resolves({});
    ddb.on(GetCommand, { Key: bonusKeys.balance(known) }).resolves({ Item: { ...bonusKeys.balance(known), balance: 1200, entries: 3 } });
    expect(await call('GET', `/managers/${known}/balance`)).toMatchObject({ status: 200, body: { manager_uid: known, balance: 1200, entries: 3 } });
    expect((await call('GET', `/managers/${randomUUID()}/balance`)).status).toBe(404);
  });

  it('GET /managers/{uid}/ledger pages newest first and hands out a cursor only when more follow', async () => {
    const managerUid = randomUUID();
    const entry = (n: number) => ({ ...bonusKeys.ledgerEntry(managerUid, `2026-03-0${n}T10:00:00.000Z`, `e${n}`), item_type: 'ledger', amount: n });
    ddb.on(GetCommand).resolves({ Item: bonusKeys.manager(managerUid) });
    ddb.on(QueryCommand).resolvesOnce({ Items: [entry(3), entry(2), entry(1)] }).resolves({ Items: [entry(1)] });
    const first = await call<LedgerAnswer>('GET', `/managers/${managerUid}/ledger`, { query: { limit: '2' } });
    expect(first.status).toBe(200);
    expect(first.body.entries.map((e) => (e as unknown as { amount: number }).amount)).toEqual([3, 2]);
    expect(first.body.next_cursor).toBeDefined();
    expect(ddb.commandCalls(QueryCommand)[0]!.args[0].input).toMatchObject({ ScanIndexForward: false, Limit: 3 });
    const second = await call<LedgerAnswer>('GET', `/managers/${managerUid}/ledger`, { query: { limit: '2', cursor: first.body.next_cursor! } });
    expect(second.body.next_cursor).toBeUndefined();
    expect(ddb.commandCalls(QueryCommand)[1]!.args[0].input.ExclusiveStartKey).toEqual(bonusKeys.ledgerEntry(managerUid, '2026-03-02T10:00:00.000Z', 'e2'));
  });

  it('GET /managers/{uid}/ledger answers 400 naming query.cursor for a cursor of another manager', async () => {
    const other = Buffer.from(JSON.stringify(bonusKeys.ledgerEntry(randomUUID(), '2026-03-01T10:00:00.000Z', 'e1'))).toString('base64url');
    const answer = await call('GET', `/managers/${randomUUID()}/ledger`, { query: { cursor: other } });
    expect(answer).toMatchObject({ status: 400, body: { error: { field: 'query.cursor' } } });
  });
});
