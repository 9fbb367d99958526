import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
});

import { createConsumer, PrerequisiteMissingError } from '../../../lambdas/shared/messaging/index.js';
import { logger } from '../../../lambdas/shared/observability.js';
import { redriveWaiting, type WaitingSchedule } from '../../../lambdas/shared/waiting/index.js';
import { waitFor } from '../../../local/net.js';
import { localClients, uniqueName } from '../../support/aws.js';
import { sqsRecord, taskSolved } from '../../unit/messaging/factories.js';
import { createServiceTable, toSqsRecord } from './helpers.js';

const { dynamodb, doc, sqs } = localClients();
const table = uniqueName('bonus-park');
const QUEUE_ARN = 'arn:aws:sqs:us-east-1:000000000000:bonus-task-solved';

/** A consumer's queues; each test gets its own, so held or delayed messages of one cannot reach another. */
interface Queues {
  queueUrl: string;
  dlqUrl: string;
  waitingUrl: string;
}
const createQueue = async (prefix: string) => (await sqs.send(new CreateQueueCommand({ QueueName: uniqueName(prefix) }))).QueueUrl!;
async function queues(): Promise<Queues> {
  return { queueUrl: await createQueue('bonus-queue'), dlqUrl: await createQueue('bonus-dlq'), waitingUrl: await createQueue('bonus-waiting') };
}

beforeAll(async () => {
  await createServiceTable(dynamodb, table);
});
afterEach(() => vi.unstubAllEnvs());

/** Known managers; the handler parks a TaskSolved whose manager has not arrived yet. */
const knownManagers = new Set<string>();
/** The consumer as the EventConsumer construct configures it; `waiting` sets WAITING_QUEUE_URL like the construct does. */
const consumer = (q: Queues, { waiting = true } = {}) => {
  if (waiting) vi.stubEnv('WAITING_QUEUE_URL', q.waitingUrl);
  else vi.stubEnv('WAITING_QUEUE_URL', '');
  return createConsumer({
    consumer: 'bonus',
    tableName: table,
    queueUrl: q.queueUrl,
    deadLetterQueueUrl: q.dlqUrl,
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
};

/** One redriver pass over `q`'s waiting queue, as the scheduled Lambda runs it. */
const redrive = (q: Queues, schedule: WaitingSchedule, now?: () => Date) =>
  redriveWaiting({ sqs, waitingQueueUrl: q.waitingUrl, targetQueueUrl: q.queueUrl, deadLetterQueueUrl: q.dlqUrl, expiredKind: 'prerequisite-missing', schedule, logger, now });

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

/** The next message of `url`, left in the queue (visible again at once). */
async function peek(url: string): Promise<Message> {
  return waitFor(
    async () => {
      const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 1, VisibilityTimeout: 0, MessageAttributeNames: ['All'] }));
      return Messages?.[0];
    },
    { timeoutMs: 15_000, what: `a message on ${url}` },
  );
}

/** What a queue holds right now, visible or not yet (long poll of 1 s, messages left in place). */
async function isEmpty(url: string): Promise<boolean> {
  const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 1, VisibilityTimeout: 0 }));
  return Messages.length === 0;
}

const attr = (message: Message, name: string) => message.MessageAttributes?.[name]?.StringValue;

/** Parks `record` through the whole budget (2 parks); the third delivery leaves it where the budget ends. */
async function exhaustParking(handler: ReturnType<typeof consumer>, q: Queues, record = sqsRecord(taskSolved())): Promise<void> {
  expect((await handler({ Records: [record] })).batchItemFailures).toEqual([]);
  const first = await nextMessage(q.queueUrl);
  expect((await handler({ Records: [toSqsRecord(first, QUEUE_ARN)] })).batchItemFailures).toEqual([]);
  const second = await nextMessage(q.queueUrl);
  expect((await handler({ Records: [toSqsRecord(second, QUEUE_ARN)] })).batchItemFailures).toEqual([]);
}

describe('parking and DLQ against the SQS server', () => {
  it('parks with a growing delay, then sends the event to its waiting queue with the reason, not to the DLQ', async () => {
    const q = await queues();
    const handler = consumer(q);
    const original = sqsRecord(taskSolved());
    // Clocks start before the handler runs: the delay counts from its send, inside the call.
    const parkedAt = Date.now();
    expect((await handler({ Records: [original] })).batchItemFailures).toEqual([]);

    const first = await nextMessage(q.queueUrl);
    expect(Date.now() - parkedAt).toBeGreaterThanOrEqual(900); // DelaySeconds = 1
    expect(first.Body).toBe(original.body);
    expect(attr(first, 'parked-attempt')).toBe('1');

    const reparkedAt = Date.now();
    expect((await handler({ Records: [toSqsRecord(first, QUEUE_ARN)] })).batchItemFailures).toEqual([]);
    const second = await nextMessage(q.queueUrl);
    expect(Date.now() - reparkedAt).toBeGreaterThanOrEqual(1_900); // DelaySeconds = 2
    expect(attr(second, 'parked-attempt')).toBe('2');

    expect((await handler({ Records: [toSqsRecord(second, QUEUE_ARN)] })).batchItemFailures).toEqual([]);
    const waiting = await nextMessage(q.waitingUrl);
    expect(waiting.Body).toBe(original.body);
    expect(attr(waiting, 'failure-kind')).toBe('prerequisite-missing');
    expect(attr(waiting, 'failure-reason')).toMatch(/manager .* unknown \(after 2 parked retries\)/);
    expect(attr(waiting, 'source-queue')).toBe(QUEUE_ARN);
    expect(attr(waiting, 'waiting-round')).toBe('1');
    expect(Date.parse(attr(waiting, 'waiting-since')!)).toBeGreaterThan(parkedAt);
    expect(attr(waiting, 'parked-attempt')).toBeUndefined();
    expect(await isEmpty(q.dlqUrl)).toBe(true);
  });

  it('without a waiting queue (WAITING_QUEUE_URL unset) the budget ends in the DLQ, as prerequisite-missing', async () => {
    const q = await queues();
    await exhaustParking(consumer(q, { waiting: false }), q);
    const dead = await nextMessage(q.dlqUrl);
    expect(attr(dead, 'failure-kind')).toBe('prerequisite-missing');
    expect(attr(dead, 'failure-reason')).toMatch(/manager .* unknown \(gave up after 2 parked retries\)/);
    expect(Date.parse(attr(dead, 'failed-at')!)).toBeGreaterThan(0);
  });

  it('redrives a waiting event when due, straight back to waiting while still missing, and applies it once the prerequisite arrived', async () => {
    const q = await queues();
    const handler = consumer(q);
    const event = taskSolved();
    const schedule = { firstDelaySeconds: 1, maxDelaySeconds: 2, horizonSeconds: 3600 };
    await exhaustParking(handler, q, sqsRecord(event));
    const since = attr(await peek(q.waitingUrl), 'waiting-since');

    // A pass moves only what is due: run passes until one has redriven it (earlier ones hold it out of sight).
    const redriven = () => waitFor(async () => ((await redrive(q, schedule)).redriven > 0 ? nextMessage(q.queueUrl) : undefined), { timeoutMs: 15_000, intervalMs: 200, what: 'a redrive' });
    const back = await redriven();
    expect(JSON.parse(back.Body!).detail.event_id).toBe(event.event_id);
    expect(attr(back, 'waiting-since')).toBe(since);
    expect(attr(back, 'waiting-round')).toBe('1');

    // Still no manager: no second parking budget, straight back to the waiting queue, next round, same start.
    expect((await handler({ Records: [toSqsRecord(back, QUEUE_ARN)] })).batchItemFailures).toEqual([]);
    const again = await peek(q.waitingUrl);
    expect(attr(again, 'waiting-round')).toBe('2');
    expect(attr(again, 'waiting-since')).toBe(since);
    expect(attr(again, 'failure-reason')).toMatch(/manager .* unknown$/);

    knownManagers.add(event.payload.task_manager_uid);
    const last = await redriven();
    expect((await handler({ Records: [toSqsRecord(last, QUEUE_ARN)] })).batchItemFailures).toEqual([]);
    const credit = await doc.send(new GetCommand({ TableName: table, Key: { pk: `CREDIT#${event.event_id}`, sk: 'CREDIT' } }));
    expect(credit.Item?.amount).toBe(100);
    expect(await isEmpty(q.waitingUrl)).toBe(true);
    expect(await isEmpty(q.dlqUrl)).toBe(true);
  });

  it('sends a waiting event to the DLQ once the horizon has passed, as prerequisite-missing with the reason', async () => {
    const q = await queues();
    const handler = consumer(q);
    // The budget already spent: this delivery goes to the waiting queue.
    const record = sqsRecord(taskSolved(), { parkedAttempt: 2 });
    expect((await handler({ Records: [record] })).batchItemFailures).toEqual([]);
    await peek(q.waitingUrl);
    const schedule = { firstDelaySeconds: 600, maxDelaySeconds: 600, horizonSeconds: 3600 };
    // The clock the redriver reads two hours later: past the one-hour horizon.
    expect(await redrive(q, schedule, () => new Date(Date.now() + 2 * 3600_000))).toEqual({ redriven: 0, expired: 1, held: 0, failed: 0 });
    const dead = await nextMessage(q.dlqUrl);
    expect(dead.Body).toBe(record.body);
    expect(attr(dead, 'failure-kind')).toBe('prerequisite-missing');
    expect(attr(dead, 'failure-reason')).toMatch(/manager .* unknown .*still failing after waiting since .*past the 1 h horizon/);
    expect(attr(dead, 'source-queue')).toBe(record.eventSourceARN);
    expect(attr(dead, 'waiting-since')).toBeUndefined();
    expect(await isEmpty(q.waitingUrl)).toBe(true);
    expect(await isEmpty(q.queueUrl)).toBe(true);
  });

  it('applies a parked event once its prerequisite has arrived', async () => {
    const q = await queues();
    const handler = consumer(q);
    const event = taskSolved();
    await handler({ Records: [sqsRecord(event)] });
    const parked = await nextMessage(q.queueUrl);
    knownManagers.add(event.payload.task_manager_uid);
    expect((await handler({ Records: [toSqsRecord(parked, QUEUE_ARN)] })).batchItemFailures).toEqual([]);
    const credit = await doc.send(new GetCommand({ TableName: table, Key: { pk: `CREDIT#${event.event_id}`, sk: 'CREDIT' } }));
    expect(credit.Item?.amount).toBe(100);
  });

  it('sends a poison message to the DLQ at once with its reason, the rest of the batch going on', async () => {
    const q = await queues();
    const handler = consumer(q);
    const good = taskSolved();
    knownManagers.add(good.payload.task_manager_uid);
    const poison = sqsRecord({ ...taskSolved(), event_version: '7' });
    const response = await handler({ Records: [poison, sqsRecord(good)] });
    expect(response.batchItemFailures).toEqual([]);
    const dead = await nextMessage(q.dlqUrl);
    expect(dead.Body).toBe(poison.body);
    expect(attr(dead, 'failure-kind')).toBe('poison');
    expect(attr(dead, 'failure-reason')).toContain('UnknownEventError: unknown event TaskSolved v7');
    const credit = await doc.send(new GetCommand({ TableName: table, Key: { pk: `CREDIT#${good.event_id}`, sk: 'CREDIT' } }));
    expect(credit.Item).toBeDefined();
  });
});
