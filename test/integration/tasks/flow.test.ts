import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
});

import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import { deliverCall, type PendingCallRecord } from '../../../lambdas/shared/calls/index.js';
import { createTasksApi } from '../../../lambdas/tasks/createTasksApi.js';
import { createTasksConsumer } from '../../../lambdas/tasks/createTasksConsumer.js';
import { localClients, uniqueName } from '../../support/aws.js';
import {
  apiEvent,
  createTasksTable,
  fakeHiring,
  newCandidateEvent,
  parse,
  sqsRecord,
  stubSigningEnv,
  tableReader,
  taskUpdateRequestedEvent,
  type ApiRequest,
} from '../../fixtures/tasks/factories.js';

/**
 * The tasks service as one unit: the API and the consumer over the same table, hiring faked
 * behind `fetch`, and the kit's deferred delivery of a call made while hiring was down.
 */
const { dynamodb, doc, sqs } = localClients();
const tableName = uniqueName('tasks-flow');
const table = tableReader(doc, tableName);
let hiring: ReturnType<typeof fakeHiring>;
let api: ReturnType<typeof createTasksApi>;
let consumer: ReturnType<typeof createTasksConsumer>;
const call = async (request: ApiRequest) => parse(await api(apiEvent(request)));

beforeAll(async () => {
  stubSigningEnv();
  await createTasksTable(dynamodb, tableName);
  hiring = fakeHiring();
  api = createTasksApi({ doc, tableName, hiringApiUrl: hiring.baseUrl, callRetry: { maxAttempts: 1 } });
  const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('tasks-flow') }))).QueueUrl!;
  const deadLetterQueueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('tasks-flow-dlq') }))).QueueUrl!;
  consumer = createTasksConsumer({ clients: { doc, sqs }, tableName, queueUrl, deadLetterQueueUrl, parking: { baseDelaySeconds: 0 } });
});

describe('tasks service flow', () => {
  it('manager -> task (hiring down, delivered later) -> candidate event -> assignment -> update request -> update', async () => {
    const manager = await call({ method: 'POST', resource: '/managers', body: { name: 'Grace', surname: 'Hopper', login: 'grace', payout_account: 'ACC-9' } });
    expect(manager.status).toBe(201);
    const { manager_uid } = manager.body;

    hiring.state.up = false;
    const created = await call({ method: 'POST', resource: '/tasks', body: { title: 'COBOL', knowledge_area: 'Legacy', manager_uid } });
    expect(created.status).toBe(201);
    const { task_uid } = created.body;
    const [pending] = (await table.rows('CALL#')).filter((row) => row.path === `/internal/tasks/${task_uid}`) as unknown as PendingCallRecord[];
    expect(pending).toMatchObject({ status: 'pending', body: { task_uid, version: 1 } });

    // Hiring is back: the deferred-calls deliverer sends the recorded call with its original key.
    hiring.state.up = true;
    await deliverCall(pending!, { doc, tableName, baseUrls: { hiring: hiring.baseUrl } });
    expect(await table.get(pending!.pk, 'CALL')).toMatchObject({ status: 'delivered', delivered_at: expect.any(String) });
    const delivered = hiring.state.requests.filter((r) => r.url.endsWith(`/internal/tasks/${task_uid}`));
    expect(delivered).toHaveLength(1);
    expect(delivered[0]!.headers['idempotency-key']).toBe(pending!.call_id);

    // Hiring registers a candidate; tasks learns it from the event, then may assign the task.
    const candidate = newCandidateEvent();
    const candidate_uid = candidate.payload.candidate_uid;
    const before = await call({ method: 'POST', resource: '/tasks/{task_uid}/assignments', pathParameters: { task_uid }, body: { candidate_uid } });
    expect(before.status).toBe(404);
    expect((await consumer({ Records: [sqsRecord(candidate)] })).batchItemFailures).toEqual([]);
    const assigned = await call({ method: 'POST', resource: '/tasks/{task_uid}/assignments', pathParameters: { task_uid }, body: { candidate_uid } });
    expect(assigned).toMatchObject({ status: 201, body: { task_uid, candidate_uid } });

    // Hiring asks for an update; the task shows it until the manager updates the task.
    const request = taskUpdateRequestedEvent(task_uid, randomUUID());
    expect((await consumer({ Records: [sqsRecord(request)] })).batchItemFailures).toEqual([]);
    const flagged = await call({ method: 'GET', resource: '/tasks/{task_uid}', pathParameters: { task_uid } });
    expect(flagged.body).toMatchObject({ needs_update: true, version: 1, update_requests: [{ request_id: request.payload.request_id, reason: request.payload.reason }] });

    const updated = await call({ method: 'PUT', resource: '/tasks/{task_uid}', pathParameters: { task_uid }, body: { description: 'Clarified' } });
    expect(updated.body).toMatchObject({ needs_update: false, version: 2, description: 'Clarified', update_requests: [{ request_id: request.payload.request_id }] });
    const pushes = hiring.state.requests.filter((r) => r.url.endsWith(`/internal/tasks/${task_uid}`)).map((r) => (r.body as { version: number }).version);
    expect(pushes).toEqual([1, 2]);
  });
});
