import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
});

import { createConsumer, PrerequisiteMissingError } from '../../../lambdas/shared/messaging/index.js';
import { waitFor } from '../../../local/net.js';
import { localClients, uniqueName } from '../../support/aws.js';
import { sqsRecord, taskSolved } from '../../unit/messaging/factories.js';
import { createServiceTable, toSqsRecord } from './helpers.js';

const { dynamodb, doc, sqs } = localClients();
const table = uniqueName('bonus-park');
const QUEUE_ARN = 'arn:aws:sqs:us-east-1:000000000000:bonus-task-solved';
let queueUrl: string;
let dlqUrl: string;

beforeAll(async () => {
  await createServiceTable(dynamodb, table);
  queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('bonus-queue') }))).QueueUrl!;
  dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('bonus-dlq') }))).QueueUrl!;
});

/** Known managers; the handler parks a TaskSolved whose manager has not arrived yet. */
const knownManagers = new Set<string>();
const consumer = () =>
  createConsumer({
    consumer: 'bonus',
    tableName: table,
    queueUrl,
    deadLetterQueueUrl: dlqUrl,
    parking: { maxAttempts: 2, baseDelaySeconds: 1 },
    clients: { doc, sqs },
    handlers: {
      TaskSolved: {
        '0': async (event, ctx) => {
          if (!knownManagers.has(event.payload.task_manager_uid)) throw new PrerequisiteMissingError(`manager ${event.payload.task_manager_uid} unknown`);
          return [{ Put: { TableName: ctx.tableName, Item: { pk: `CREDIT#${event.event_id}`, sk: 'CREDIT', amount: 100 } } }];
        },
      },
    },
  });

/** Waits (long polling, no fixed sleep) for the next message of `url`, and deletes it like the event source would. */
async function nextMessage(url: string): Promise<Message> {
  const message = await waitFor(
    async () => {
      const { Messages } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 1, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'] }),
      );
      return Messages?.[0];
    },
    { timeoutMs: 15_000, what: `a message on ${url}` },
  );
  await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle }));
  return message;
}

const attr = (message: Message, name: string) => message.MessageAttributes?.[name]?.StringValue;

describe('parking and DLQ against the SQS server', () => {
  it('parks with a growing delay, then sends to the DLQ with the reason after the budget', async () => {
    const handler = consumer();
    const original = sqsRecord(taskSolved());
    // Clocks start before the handler runs: the delay counts from its send, inside the call.
    const parkedAt = Date.now();
    expect((await handler({ Records: [original] })).batchItemFailures).toEqual([]);

    const first = await nextMessage(queueUrl);
    expect(Date.now() - parkedAt).toBeGreaterThanOrEqual(900); // DelaySeconds = 1
    expect(first.Body).toBe(original.body);
    expect(attr(first, 'parked-attempt')).toBe('1');

    const reparkedAt = Date.now();
    expect((await handler({ Records: [toSqsRecord(first, QUEUE_ARN)] })).batchItemFailures).toEqual([]);
    const second = await nextMessage(queueUrl);
    expect(Date.now() - reparkedAt).toBeGreaterThanOrEqual(1_900); // DelaySeconds = 2
    expect(attr(second, 'parked-attempt')).toBe('2');

    expect((await handler({ Records: [toSqsRecord(second, QUEUE_ARN)] })).batchItemFailures).toEqual([]);
    const dead = await nextMessage(dlqUrl);
    expect(dead.Body).toBe(original.body);
    expect(attr(dead, 'failure-kind')).toBe('prerequisite-missing');
    expect(attr(dead, 'failure-reason')).toMatch(/manager .* unknown \(gave up after 2 parked retries\)/);
    expect(attr(dead, 'source-queue')).toBe(QUEUE_ARN);
    expect(Date.parse(attr(dead, 'failed-at')!)).toBeGreaterThan(parkedAt);
  });

  it('applies a parked event once its prerequisite has arrived', async () => {
    const handler = consumer();
    const event = taskSolved();
    await handler({ Records: [sqsRecord(event)] });
    const parked = await nextMessage(queueUrl);
    knownManagers.add(event.payload.task_manager_uid);
    expect((await handler({ Records: [toSqsRecord(parked, QUEUE_ARN)] })).batchItemFailures).toEqual([]);
    const credit = await doc.send(new GetCommand({ TableName: table, Key: { pk: `CREDIT#${event.event_id}`, sk: 'CREDIT' } }));
    expect(credit.Item?.amount).toBe(100);
  });

  it('sends a poison message to the DLQ at once with its reason, the rest of the batch going on', async () => {
    const handler = consumer();
    const good = taskSolved();
    knownManagers.add(good.payload.task_manager_uid);
    const poison = sqsRecord({ ...taskSolved(), event_version: '7' });
    const response = await handler({ Records: [poison, sqsRecord(good)] });
    expect(response.batchItemFailures).toEqual([]);
    const dead = await nextMessage(dlqUrl);
    expect(dead.Body).toBe(poison.body);
    expect(attr(dead, 'failure-kind')).toBe('poison');
    expect(attr(dead, 'failure-reason')).toContain('UnknownEventError: unknown event TaskSolved v7');
    const credit = await doc.send(new GetCommand({ TableName: table, Key: { pk: `CREDIT#${good.event_id}`, sk: 'CREDIT' } }));
    expect(credit.Item).toBeDefined();
  });
});
