import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { FINAL_STEPS } from '../../../lambdas/shared/migrations/steps.js';
import { createTasksApi } from '../../../lambdas/tasks/createTasksApi.js';
import { candidateKey, managerKey, taskKey } from '../../../lambdas/tasks/keys.js';
import { ROUTES } from '../../../lambdas/tasks/routes.js';
import { apiEvent, parseResult, type RequestOptions } from '../../fixtures/hiring/factories.js';
import { silentLogger } from '../http/helpers/factories.js';

const TABLE = 'tasks';
const NOW = new Date('2026-03-01T10:00:00.000Z');
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }));
const ddb = mockClient(DynamoDBDocumentClient);
const callNow = vi.fn(async () => ({ delivered: true }) as never);
const api = createTasksApi({ doc, tableName: TABLE, now: () => NOW, steps: FINAL_STEPS, callNow, logger: silentLogger() });
const call = async <T = Record<string, unknown>>(method: string, path: string, options: RequestOptions = {}) => parseResult<T>(await api(apiEvent(method, path, options)));
const manager = { name: 'Ada', surname: 'Lovelace', login: 'ada', payout_account: 'DE89370400440532013000' };

function transactItems() {
  const calls = ddb.commandCalls(TransactWriteCommand);
  expect(calls).toHaveLength(1);
  return calls[0]!.args[0].input.TransactItems ?? [];
}

beforeEach(() => {
  ddb.reset();
  callNow.mockClear();
});

describe('tasks API on mocked DynamoDB', () => {
  it('serves every declared route (none answers 404/405 from the router)', async () => {
    ddb.onAnyCommand().resolves({});
    for (const route of ROUTES) {
      const answer = await call<{ error?: { code: string } }>(route.method, route.path.replace(/\{[a-z_]+\}/g, randomUUID()), { body: {} });
      expect(answer.body?.error?.code, `${route.method} ${route.path}`).not.toMatch(/^(route_not_found|method_not_allowed)$/);
    }
  });

  it('POST /managers writes manager version 1 and its ManagerUpdated v1 in one transaction', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    const answer = await call<{ manager_uid: string }>('POST', '/managers', { body: manager });
    expect(answer.status).toBe(201);
    const [put, ...outbox] = transactItems();
    expect(put!.Put).toMatchObject({ TableName: TABLE, Item: { ...managerKey(answer.body.manager_uid), login: 'ada', version: 1 }, ConditionExpression: 'attribute_not_exists(pk)' });
    expect(JSON.stringify(outbox)).toContain('ManagerUpdated');
  });

  it('PUT /managers/{uid} answers 404 for an unknown manager without writing', async () => {
    ddb.on(GetCommand).resolves({});
    const answer = await call('PUT', `/managers/${randomUUID()}`, { body: { login: 'grace' } });
    expect(answer.status).toBe(404);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('PUT /managers/{uid} bumps the version on condition of the version it read', async () => {
    const uid = randomUUID();
    ddb.on(GetCommand, { Key: managerKey(uid) }).resolves({ Item: { ...managerKey(uid), manager_uid: uid, ...manager, version: 4, created_at: NOW.toISOString(), updated_at: NOW.toISOString() } });
    ddb.on(TransactWriteCommand).resolves({});
    const answer = await call<{ version: number; login: string }>('PUT', `/managers/${uid}`, { body: { login: 'grace' } });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ version: 5, login: 'grace' });
    expect(transactItems()[0]!.Put).toMatchObject({ ExpressionAttributeValues: { ':expected': 4 }, Item: { version: 5, login: 'grace' } });
  });

  it('GET /tasks/{uid} answers 404 for an unknown task', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });
    const answer = await call('GET', `/tasks/${randomUUID()}`);
    expect(answer.status).toBe(404);
  });

  it('POST /tasks/{uid}/assignments answers 404 naming body.candidate_uid for a candidate tasks has not learnt yet', async () => {
    const taskUid = randomUUID();
    const candidateUid = randomUUID();
    ddb.on(GetCommand, { Key: taskKey(taskUid) }).resolves({ Item: { ...taskKey(taskUid), task_uid: taskUid, version: 1 } });
    ddb.on(GetCommand, { Key: candidateKey(candidateUid) }).resolves({});
    const answer = await call('POST', `/tasks/${taskUid}/assignments`, { body: { candidate_uid: candidateUid } });
    expect(answer.status).toBe(404);
    expect(answer.body).toMatchObject({ error: { field: 'body.candidate_uid' } });
    expect(callNow).not.toHaveBeenCalled();
  });

  it('answers 400 naming the field for a body the schema refuses, before any read', async () => {
    const answer = await call('POST', '/managers', { body: { ...manager, login: undefined } });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: { code: 'validation_error', field: 'body.login' } });
    expect(ddb.calls()).toHaveLength(0);
  });
});
