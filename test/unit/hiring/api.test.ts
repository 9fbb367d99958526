import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createHiringApi } from '../../../lambdas/hiring/createHiringApi.js';
import { assignmentKey, candidateKey, taskKey } from '../../../lambdas/hiring/keys.js';
import { ROUTES } from '../../../lambdas/hiring/routes.js';
import { FINAL_STEPS } from '../../../lambdas/shared/migrations/steps.js';
import { apiEvent, parseResult, type RequestOptions } from '../../fixtures/hiring/factories.js';
import { silentLogger } from '../http/helpers/factories.js';

const TABLE = 'hiring';
const NOW = new Date('2026-03-01T10:00:00.000Z');
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }));
const ddb = mockClient(DynamoDBDocumentClient);
const api = createHiringApi({ doc, tableName: TABLE, now: () => NOW, steps: FINAL_STEPS, logger: silentLogger() });
const call = async <T = Record<string, unknown>>(method: string, path: string, options: RequestOptions = {}) => parseResult<T>(await api(apiEvent(method, path, options)));

/** The items of the one transaction the handler sent. */
function transactItems() {
  const calls = ddb.commandCalls(TransactWriteCommand);
  expect(calls).toHaveLength(1);
  return calls[0]!.args[0].input.TransactItems ?? [];
}

beforeEach(() => ddb.reset());

describe('hiring API on mocked DynamoDB', () => {
  it('serves every declared route (none answers 404/405 from the router)', async () => {
    ddb.onAnyCommand().resolves({});
    for (const route of ROUTES) {
      const path = route.path.replace(/\{[a-z_]+\}/g, randomUUID());
      const answer = await call<{ error?: { code: string } }>(route.method, path, { body: {} });
      expect(answer.body?.error?.code, `${route.method} ${route.path}`).not.toMatch(/^(route_not_found|method_not_allowed)$/);
    }
  });

  it('POST /candidates writes the candidate and its NewCandidate outbox row in one transaction', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    const answer = await call<{ candidate_uid: string }>('POST', '/candidates', { body: { name: 'Grace', surname: 'Hopper' } });
    expect(answer.status).toBe(201);
    const items = transactItems();
    expect(items[0]!.Put).toMatchObject({
      TableName: TABLE,
      Item: { ...candidateKey(answer.body.candidate_uid), item_type: 'candidate', name: 'Grace', surname: 'Hopper', created_at: NOW.toISOString() },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    expect(JSON.stringify(items.slice(1))).toContain('NewCandidate');
  });

  it('puts the idempotency record in the SAME transaction as the effect when the client sends a key', async () => {
    ddb.on(PutCommand).resolves({});
    ddb.on(TransactWriteCommand).resolves({});
    const answer = await call<{ candidate_uid: string }>('POST', '/candidates', { body: { name: 'Ada', surname: 'Lovelace' }, idempotencyKey: 'key-1' });
    expect(answer.status).toBe(201);
    expect(ddb.commandCalls(PutCommand)[0]!.args[0].input.Item).toMatchObject({ pk: 'IDEMPOTENCY#POST /candidates#key-1', status: 'IN_PROGRESS' });
    const record = transactItems().find((item) => item.Update?.Key?.pk === 'IDEMPOTENCY#POST /candidates#key-1');
    expect(record?.Update?.ExpressionAttributeValues).toMatchObject({ ':status': 201, ':body': JSON.stringify(answer.body) });
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0); // no second write after the effect
  });

  it('answers 400 naming the field for a body the schema refuses, before any read', async () => {
    const answer = await call('POST', '/candidates', { body: { name: 'Grace' } });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: { code: 'validation_error', field: 'body.surname' } });
    expect(ddb.calls()).toHaveLength(0);
  });

  it('GET /candidates/{uid} answers 404 for a candidate it does not have', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });
    const answer = await call('GET', `/candidates/${randomUUID()}`);
    expect(answer.status).toBe(404);
    expect(answer.body).toMatchObject({ error: { code: 'not_found' } });
  });

  it('POST /tasks/{uid}/solutions answers 409 not_assigned when the candidate has no assignment', async () => {
    const taskUid = randomUUID();
    const candidateUid = randomUUID();
    ddb.on(GetCommand, { Key: taskKey(taskUid) }).resolves({ Item: { ...taskKey(taskUid), task_uid: taskUid, manager_uid: randomUUID(), version: 1 } });
    ddb.on(GetCommand, { Key: candidateKey(candidateUid) }).resolves({ Item: { ...candidateKey(candidateUid), candidate_uid: candidateUid } });
    ddb.on(GetCommand, { Key: assignmentKey(candidateUid, taskUid) }).resolves({});
    const answer = await call('POST', `/tasks/${taskUid}/solutions`, { body: { candidate_uid: candidateUid } });
    expect(answer.status).toBe(409);
    expect(answer.body).toMatchObject({ error: { code: 'not_assigned' } });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('POST /tasks/{uid}/solutions commits a check of the task version, the solved assignment, the solution and TaskSolved', async () => {
    const taskUid = randomUUID();
    const candidateUid = randomUUID();
    const managerUid = randomUUID();
    ddb.on(GetCommand, { Key: taskKey(taskUid) }).resolves({ Item: { ...taskKey(taskUid), task_uid: taskUid, manager_uid: managerUid, version: 3 } });
    ddb.on(GetCommand, { Key: candidateKey(candidateUid) }).resolves({ Item: { ...candidateKey(candidateUid), candidate_uid: candidateUid } });
    ddb.on(GetCommand, { Key: assignmentKey(candidateUid, taskUid) }).resolves({ Item: { ...assignmentKey(candidateUid, taskUid), task_uid: taskUid } });
    ddb.on(TransactWriteCommand).resolves({});
    const answer = await call('POST', `/tasks/${taskUid}/solutions`, { body: { candidate_uid: candidateUid } });
    expect(answer).toEqual({ status: 201, body: { task_uid: taskUid, candidate_uid: candidateUid, solved_at: NOW.toISOString(), task_manager_uid: managerUid }, headers: expect.anything() });
    const [check, solved, solution, ...rest] = transactItems();
    expect(check!.ConditionCheck).toMatchObject({ Key: taskKey(taskUid), ExpressionAttributeValues: { ':read': 3 } });
    expect(solved!.Update).toMatchObject({ Key: assignmentKey(candidateUid, taskUid), ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(solved_at)' });
    expect(solution!.Put?.Item).toMatchObject({ item_type: 'solution', task_manager_uid: managerUid });
    expect(JSON.stringify(rest)).toContain('TaskSolved');
  });
});
