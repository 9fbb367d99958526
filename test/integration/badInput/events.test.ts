import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
});

import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createBonusConsumer } from '../../../lambdas/bonus/createBonusConsumer.js';
import { createHiringConsumer } from '../../../lambdas/hiring/createHiringConsumer.js';
import {
  ATTR_FAILURE_KIND,
  ATTR_FAILURE_REASON,
  ATTR_SOURCE_QUEUE,
  PROCESSED_PK_PREFIX,
  PROCESSED_SK,
} from '../../../lambdas/shared/messaging/constants.js';
import type { ServiceName } from '../../../lambdas/shared/registry/index.js';
import { createTasksConsumer } from '../../../lambdas/tasks/createTasksConsumer.js';
import { localClients, uniqueName } from '../../support/aws.js';
import { createServiceTable } from '../support/serviceTable.js';
import { bodyOf, eventBridgeEvent, eventCases, fixtureEvent, sqsRecord, type EventCase } from './corpus.js';

/**
 * The bad-event corpus (`test/fixtures/bad-input/events.json`) against the real consumers of the
 * three services, on DynamoDB Local and real queues + DLQs on the SQS server. Each bad message
 * travels in one batch with a good one: the bad one lands in the consumer's DLQ, unchanged, with
 * `failure-kind: poison` and a `failure-reason` naming the problem; the batch reports no item
 * failure; the good one is applied (its processed marker, written in the same transaction as its
 * effect, is there); nothing stays on the source queue.
 */
const cases = eventCases();
const { dynamodb, doc, sqs } = localClients();

interface Endpoint {
  readonly handler: (event: SQSEvent) => Promise<SQSBatchResponse>;
  readonly tableName: string;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly deadLetterQueueUrl: string;
  /** A valid event this consumer applies, fresh each time. */
  readonly goodEvent: () => Record<string, unknown>;
}

const managerUpdated = () => {
  const event = fixtureEvent('ManagerUpdated.v1');
  return { ...event, payload: { ...event.payload, manager_uid: randomUUID() } };
};
const GOOD_EVENTS: Record<ServiceName, () => Record<string, unknown>> = {
  bonus: managerUpdated,
  hiring: managerUpdated,
  tasks: () => {
    const event = fixtureEvent('NewCandidate.v0');
    return { ...event, payload: { ...event.payload, candidate_uid: randomUUID() } };
  },
};

const endpoints = {} as Record<ServiceName, Endpoint>;

beforeAll(async () => {
  for (const service of ['tasks', 'hiring', 'bonus'] as const) {
    const tableName = uniqueName(`bad-events-${service}`);
    const name = uniqueName(`bad-events-${service}`);
    const [, queue, dlq] = await Promise.all([
      createServiceTable(dynamodb, tableName),
      sqs.send(new CreateQueueCommand({ QueueName: name })),
      sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` })),
    ]);
    const deps = {
      clients: { doc, sqs },
      tableName,
      queueUrl: queue.QueueUrl!,
      deadLetterQueueUrl: dlq.QueueUrl!,
      parking: { baseDelaySeconds: 0, maxAttempts: 1 },
    };
    const handler =
      service === 'tasks' ? createTasksConsumer(deps) : service === 'hiring' ? createHiringConsumer(deps) : createBonusConsumer({ ...deps, perRatingPoint: 100 });
    endpoints[service] = {
      handler,
      tableName,
      queueUrl: deps.queueUrl,
      queueArn: `arn:aws:sqs:us-east-1:000000000000:${name}`,
      deadLetterQueueUrl: deps.deadLetterQueueUrl,
      goodEvent: GOOD_EVENTS[service],
    };
  }
});

async function receiveAll(queueUrl: string): Promise<Message[]> {
  const messages: Message[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: messages.length === 0 ? 1 : 0, MessageAttributeNames: ['All'] }),
    );
    if (Messages.length === 0) return messages;
    messages.push(...Messages);
  }
}

async function markerOf(endpoint: Endpoint, consumer: ServiceName, eventId: string) {
  const { Item } = await doc.send(
    new GetCommand({ TableName: endpoint.tableName, Key: { pk: `${PROCESSED_PK_PREFIX}${consumer}#${eventId}`, sk: PROCESSED_SK }, ConsistentRead: true }),
  );
  return Item;
}

describe('bad events: to the DLQ with the reason, the good ones of the batch applied', () => {
  it('the corpus is large and covers every consumer', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    expect(new Set(cases.map((c) => c.consumer))).toEqual(new Set(['tasks', 'hiring', 'bonus']));
    expect(cases.some((c) => bodyOf(c).length > 64 * 1024)).toBe(true);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
  });

  it.each(cases.map((c, index) => [c.name, c, index] as const))('%s', async (_name, c: EventCase, index: number) => {
    const endpoint = endpoints[c.consumer];
    const badBody = bodyOf(c);
    const good = endpoint.goodEvent();
    const goodRecord = sqsRecord(JSON.stringify(eventBridgeEvent(good)), endpoint.queueArn);
    const badRecord = sqsRecord(badBody, endpoint.queueArn);
    // Both orders occur across the corpus: a bad record first must not stop the one after it.
    const records = index % 2 === 0 ? [badRecord, goodRecord] : [goodRecord, badRecord];

    const response = await endpoint.handler({ Records: records });
    expect(response.batchItemFailures, 'no record of the batch is reported as failed').toEqual([]);

    const dead = await receiveAll(endpoint.deadLetterQueueUrl);
    expect(dead.map((m) => m.Body === badBody), 'exactly the bad message, unchanged, in the DLQ').toEqual([true]);
    const attributes = dead[0]!.MessageAttributes ?? {};
    expect(attributes[ATTR_FAILURE_KIND]?.StringValue).toBe('poison');
    expect(attributes[ATTR_FAILURE_REASON]?.StringValue).toContain(c.expect.reason);
    expect(attributes[ATTR_SOURCE_QUEUE]?.StringValue).toBe(endpoint.queueArn);
    await Promise.all(dead.map((m) => sqs.send(new DeleteMessageCommand({ QueueUrl: endpoint.deadLetterQueueUrl, ReceiptHandle: m.ReceiptHandle }))));

    // Nothing parked or re-sent to the source queue.
    const { Messages: left = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: endpoint.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    expect(left).toEqual([]);

    // The good event was applied (marker and effect are one transaction); the bad one left no marker.
    expect(await markerOf(endpoint, c.consumer, String(good.event_id))).toMatchObject({ event_name: good.event_name });
    const badId = /"event_id"\s*:\s*"([^"]+)"/.exec(badBody)?.[1];
    if (badId) expect(await markerOf(endpoint, c.consumer, badId)).toBeUndefined();
  });
});
