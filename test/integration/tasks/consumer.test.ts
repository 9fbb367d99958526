import { randomUUID } from 'node:crypto';
import { CreateQueueCommand, ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SQSRecord } from 'aws-lambda';
import { beforeAll, describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
});

import { FINAL_STEPS } from '../../../lambdas/shared/migrations/steps.js';
import { createTasksApi } from '../../../lambdas/tasks/createTasksApi.js';
import { createTasksConsumer } from '../../../lambdas/tasks/createTasksConsumer.js';
import { apiEvent, parse, stubSigningEnv } from '../../fixtures/tasks/factories.js';
import { localClients, uniqueName } from '../../support/aws.js';
import { createTasksTable, newCandidateEvent, sqsRecord, tableReader, taskUpdateRequestedEvent } from '../../fixtures/tasks/factories.js';

const { dynamodb, doc, sqs } = localClients();
const tableName = uniqueName('tasks-consumer');
let queueUrl: string;
let deadLetterQueueUrl: string;
let handler: ReturnType<typeof createTasksConsumer>;
const table = tableReader(doc, tableName);

beforeAll(async () => {
  await createTasksTable(dynamodb, tableName);
  queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('tasks-events') }))).QueueUrl!;
  deadLetterQueueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('tasks-events-dlq') }))).QueueUrl!;
  handler = createTasksConsumer({
    clients: { doc, sqs },
    tableName,
    queueUrl,
    deadLetterQueueUrl,
    // Parked messages come back at once, so the test can receive them without waiting.
    parking: { maxAttempts: 3, baseDelaySeconds: 0 },
  });
});

async function givenTask(): Promise<string> {
  const task_uid = randomUUID();
  await doc.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        pk: `TASK#${task_uid}`, sk: 'TASK', item_type: 'task', task_uid, title: 'T', knowledge_area: 'Go', manager_uid: randomUUID(),
        version: 1, needs_update: false, created_at: '2026-01-01T00:00:00.000Z', updated_at: '2026-01-01T00:00:00.000Z',
      },
    }),
  );
  return task_uid;
}

/** Receives one message (long polling: returns as soon as one is there). */
async function receiveOne(url: string): Promise<Message> {
  const { Messages } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 1, WaitTimeSeconds: 5, MessageAttributeNames: ['All'] }),
  );
  expect(Messages).toHaveLength(1);
  return Messages![0]!;
}

/** The SQS record Lambda would hand over for a received message. */
function asRecord(message: Message): SQSRecord {
  const record = sqsRecord({ event_name: 'x', producer: 'hiring' });
  return {
    ...record,
    messageId: message.MessageId!,
    body: message.Body!,
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
        name,
        { stringValue: value.StringValue, dataType: value.DataType!, stringListValues: [], binaryListValues: [] },
      ]),
    ),
  };
}

describe('NewCandidate v0', () => {
  it('stores the candidate and the processed marker', async () => {
    const event = newCandidateEvent();
    const response = await handler({ Records: [sqsRecord(event)] });
    expect(response.batchItemFailures).toEqual([]);
    const uid = event.payload.candidate_uid;
    expect(await table.get(`CANDIDATE#${uid}`, 'CANDIDATE')).toEqual({
      pk: `CANDIDATE#${uid}`, sk: 'CANDIDATE', item_type: 'candidate', candidate_uid: uid, name: 'Marlon', surname: 'Brando', registered_at: event.produced_at,
    });
    expect(await table.get(`PROCESSED#tasks#${event.event_id}`, 'PROCESSED')).toMatchObject({ event_name: 'NewCandidate' });
  });

  it('applies a duplicate delivery once (the marker refuses the second)', async () => {
    const event = newCandidateEvent();
    const first = await handler({ Records: [sqsRecord(event)] });
    const candidateKey = { pk: `CANDIDATE#${event.payload.candidate_uid}`, sk: 'CANDIDATE' };
    // If the duplicate were applied it would overwrite this marker value.
    await doc.send(new PutCommand({ TableName: tableName, Item: { ...(await table.get(candidateKey.pk, candidateKey.sk)), name: 'Renamed meanwhile' } }));
    const second = await handler({ Records: [sqsRecord(event, { receiveCount: 2 })] });
    expect(first.batchItemFailures).toEqual([]);
    expect(second.batchItemFailures).toEqual([]);
    expect((await table.get(candidateKey.pk, candidateKey.sk))!.name).toBe('Renamed meanwhile');
  });

  it('sends a schema-invalid event to the DLQ at once', async () => {
    const event = { ...newCandidateEvent(), payload: { candidate_uid: 'nope', name: 'A', surname: 'B' } };
    const response = await handler({ Records: [sqsRecord(event)] });
    expect(response.batchItemFailures).toEqual([]);
    const dead = await receiveOne(deadLetterQueueUrl);
    expect(JSON.parse(dead.Body!).detail.event_id).toBe(event.event_id);
    expect(dead.MessageAttributes?.['failure-kind']?.StringValue).toBe('poison');
  });
});

describe('TaskUpdateRequested v0', () => {
  it('records the request on the task and marks the task needs_update', async () => {
    const task_uid = await givenTask();
    const event = taskUpdateRequestedEvent(task_uid);
    const response = await handler({ Records: [sqsRecord(event)] });
    expect(response.batchItemFailures).toEqual([]);
    expect(await table.get(`TASK#${task_uid}`, `UPDATE_REQUEST#${event.payload.request_id}`)).toMatchObject({
      item_type: 'update_request', request_id: event.payload.request_id, task_uid, reason: 'ambiguous statement', requested_at: event.payload.requested_at,
    });
    expect(await table.get(`TASK#${task_uid}`, 'TASK')).toMatchObject({ needs_update: true, last_update_request_id: event.payload.request_id, version: 1 });
  });

  it('applies a duplicate delivery once', async () => {
    const task_uid = await givenTask();
    const event = taskUpdateRequestedEvent(task_uid);
    await handler({ Records: [sqsRecord(event)] });
    const second = await handler({ Records: [sqsRecord(event, { receiveCount: 2 })] });
    expect(second.batchItemFailures).toEqual([]);
    const requests = (await table.partition(`TASK#${task_uid}`)).filter((item) => String(item.sk).startsWith('UPDATE_REQUEST#'));
    expect(requests).toHaveLength(1);
  });

  it('records a request that arrives twice under different event ids once (request_id dedupes)', async () => {
    const task_uid = await givenTask();
    const request_id = randomUUID();
    const first = taskUpdateRequestedEvent(task_uid, request_id);
    const second = taskUpdateRequestedEvent(task_uid, request_id);
    expect(second.event_id).not.toBe(first.event_id);
    const a = await handler({ Records: [sqsRecord(first)] });
    const b = await handler({ Records: [sqsRecord(second)] });
    expect([a.batchItemFailures, b.batchItemFailures]).toEqual([[], []]);
    const requests = (await table.partition(`TASK#${task_uid}`)).filter((item) => String(item.sk).startsWith('UPDATE_REQUEST#'));
    expect(requests).toHaveLength(1);
    expect(requests[0]!.request_id).toBe(request_id);
    // The dead-letter queue got nothing from this test: both deliveries ended fine.
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: deadLetterQueueUrl, WaitTimeSeconds: 0 }));
    expect(Messages ?? []).toEqual([]);
  });

  it('parks a request for an unknown task, and applies it when it comes back after the task arrived', async () => {
    const task_uid = randomUUID();
    const event = taskUpdateRequestedEvent(task_uid);
    const response = await handler({ Records: [sqsRecord(event)] });
    expect(response.batchItemFailures).toEqual([]);
    expect(await table.get(`TASK#${task_uid}`, `UPDATE_REQUEST#${event.payload.request_id}`)).toBeUndefined();

    const parked = await receiveOne(queueUrl);
    expect(JSON.parse(parked.Body!).detail.event_id).toBe(event.event_id);
    expect(parked.MessageAttributes?.['parked-attempt']?.StringValue).toBe('1');

    await doc.send(
      new PutCommand({
        TableName: tableName,
        Item: { pk: `TASK#${task_uid}`, sk: 'TASK', item_type: 'task', task_uid, title: 'Late', knowledge_area: 'Go', manager_uid: randomUUID(), version: 1, needs_update: false },
      }),
    );
    const retried = await handler({ Records: [asRecord(parked)] });
    expect(retried.batchItemFailures).toEqual([]);
    expect(await table.get(`TASK#${task_uid}`, 'TASK')).toMatchObject({ needs_update: true });
  });

  it('step 4: a legacy update_task call committing between its read and its write makes the event a no-op, as the route does, not poison', async () => {
    const steps = { ...FINAL_STEPS, taskUpdateRequest: 4 };
    stubSigningEnv();
    // The legacy route of step 4, on the same table (hiring calls it and publishes the event, both for one request_id).
    const legacy = createTasksApi({ doc, tableName, hiringApiUrl: 'http://127.0.0.1:1/v1/', callRetry: { maxAttempts: 1 }, steps });
    let between: (() => Promise<void>) | undefined;
    // The consumer's client: right after the consumer has read "no request recorded yet", the legacy call commits.
    const interleaving = new Proxy(doc, {
      get(target, property, receiver) {
        if (property !== 'send') return Reflect.get(target, property, receiver);
        return async (command: Parameters<DynamoDBDocumentClient['send']>[0]) => {
          const result = await target.send(command as never);
          const key = command instanceof GetCommand ? String(command.input.Key?.sk) : '';
          if (key.startsWith('UPDATE_REQUEST#') && between) {
            const run = between;
            between = undefined;
            await run();
          }
          return result;
        };
      },
    });
    const consumer = createTasksConsumer({ clients: { doc: interleaving, sqs }, tableName, queueUrl, deadLetterQueueUrl, steps, parking: { maxAttempts: 3, baseDelaySeconds: 0 } });

    const task_uid = await givenTask();
    const event = taskUpdateRequestedEvent(task_uid);
    let legacyAnswer: { status: number; body: Record<string, unknown> } | undefined;
    between = async () => {
      legacyAnswer = parse(
        await legacy(
          apiEvent({
            method: 'POST',
            resource: '/internal/tasks/{task_uid}/update-requests',
            pathParameters: { task_uid },
            body: { request_id: event.payload.request_id, task_uid, reason: 'ambiguous statement', requested_at: event.payload.requested_at },
          }),
        ),
      );
    };
    const response = await consumer({ Records: [sqsRecord(event)] });

    expect(between).toBeUndefined(); // the interleaving happened
    expect(legacyAnswer).toMatchObject({ status: 201, body: { recorded: true } });
    expect(response.batchItemFailures).toEqual([]);
    const requests = (await table.partition(`TASK#${task_uid}`)).filter((item) => String(item.sk).startsWith('UPDATE_REQUEST#'));
    expect(requests).toHaveLength(1);
    expect(await table.get(`TASK#${task_uid}`, 'TASK')).toMatchObject({ needs_update: true, last_update_request_id: event.payload.request_id });
    // Not poison: nothing in the DLQ; the marker is written, so a redelivery is a plain duplicate.
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: deadLetterQueueUrl, WaitTimeSeconds: 1 }));
    expect(Messages ?? []).toEqual([]);
    expect(await table.get(`PROCESSED#tasks#${event.event_id}`, 'PROCESSED')).toBeDefined();
  });
});
