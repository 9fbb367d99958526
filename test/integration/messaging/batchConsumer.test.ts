import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSRecord } from 'aws-lambda';
import { beforeAll, describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
});

import { createBonusConsumer } from '../../../lambdas/bonus/createBonusConsumer.js';
import { bonusKeys } from '../../../lambdas/bonus/keys.js';
import { storeRatingVersion } from '../../../lambdas/bonus/store.js';
import { metrics } from '../../../lambdas/shared/observability.js';
import { createConsumer, lastWriteWinsPut, type BatchEventHandler } from '../../../lambdas/shared/messaging/index.js';
import { localClients, uniqueName } from '../../support/aws.js';
import { taskSolved as bonusTaskSolved } from '../bonus/bonusHarness.js';
import { managerUpdated, sqsRecord } from '../../unit/messaging/factories.js';
import { createServiceTable } from './helpers.js';

/**
 * The batch path of the consumer kit on DynamoDB Local, through bonus's real consumer: batches of
 * ten with duplicates inside a batch and across batches, four batches in flight, and the same
 * batch handled by two function instances at once (real `ConditionalCheckFailed` reasons on the
 * markers in the middle of a multi-item transaction).
 */
const { dynamodb, doc, sqs } = localClients();
/** A 20-item transaction takes DynamoDB Local 0.1-2 s on a busy 2-core machine while its JIT warms up. */
const SLOW_DYNAMODB_LOCAL_MS = 240_000;
const table = uniqueName('bonus-batch');
const consumerDeps = { perRatingPoint: 100, clients: { doc, sqs }, tableName: table, queueUrl: 'unused-queue', deadLetterQueueUrl: 'unused-dlq' };
const instances = [createBonusConsumer(consumerDeps), createBonusConsumer(consumerDeps)];

const managers = Array.from({ length: 5 }, () => randomUUID());
const tasks = Array.from({ length: 10 }, (_, i) => ({ task: randomUUID(), manager: managers[i % managers.length]!, rating: (i % 5) + 1 }));

beforeAll(async () => {
  await createServiceTable(dynamodb, table);
  for (const manager of managers) {
    await doc.send(new PutCommand({ TableName: table, Item: { ...bonusKeys.manager(manager), manager_uid: manager, payout_account: 'ACC', version: 1 } }));
  }
  for (const { task, rating } of tasks) {
    await storeRatingVersion(doc, table, { task_uid: task, rating, version: 1, rated_at: '2026-11-24T09:00:00.000Z' });
  }
});

async function balance(manager: string) {
  const { Item } = await doc.send(new GetCommand({ TableName: table, Key: bonusKeys.balance(manager), ConsistentRead: true }));
  return { balance: Number(Item?.balance ?? 0), entries: Number(Item?.entries ?? 0) };
}

async function ledgerSize(manager: string) {
  const { Items = [] } = await doc.send(
    new QueryCommand({
      TableName: table,
      ConsistentRead: true,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :ledger)',
      ExpressionAttributeValues: { ':pk': bonusKeys.manager(manager).pk, ':ledger': bonusKeys.ledgerPrefix },
    }),
  );
  return Items.length;
}

describe('batch consumer on DynamoDB Local', () => {
  it('credits 100 solutions delivered 120 times in batches of 10, 4 in flight, exactly once each', async () => {
    const publish = vi.spyOn(metrics, 'publishStoredMetrics').mockReturnValue(metrics);
    const addMetric = vi.spyOn(metrics, 'addMetric');
    const solutions = Array.from({ length: 100 }, (_, i) => ({ ...tasks[i % tasks.length]!, event: bonusTaskSolved(tasks[i % tasks.length]!.task, tasks[i % tasks.length]!.manager, randomUUID(), '2026-11-24T10:00:00.000Z') }));
    const records: SQSRecord[] = solutions.map(({ event }) => sqsRecord(event));
    // 10 duplicates inside their original's batch, 10 delivered again later.
    for (let i = 0; i < 10; i += 1) records.splice(i * 11 + 3, 0, sqsRecord(solutions[i * 10]!.event));
    for (let i = 0; i < 10; i += 1) records.push(sqsRecord(solutions[i * 7 + 1]!.event));
    const batches: SQSRecord[][] = [];
    for (let i = 0; i < records.length; i += 10) batches.push(records.slice(i, i + 10));

    let next = 0;
    const environment = async (instance: (typeof instances)[number]) => {
      while (next < batches.length) {
        const batch = batches[next++]!;
        expect((await instance({ Records: batch })).batchItemFailures).toEqual([]);
      }
    };
    await Promise.all([0, 1, 2, 3].map((i) => environment(instances[i % 2]!)));

    for (const manager of managers) {
      const mine = solutions.filter((s) => s.manager === manager);
      expect(await balance(manager)).toEqual({ balance: mine.reduce((sum, s) => sum + s.rating * 100, 0), entries: mine.length });
      expect(await ledgerSize(manager)).toBe(mine.length);
    }
    const counted = (name: string) => addMetric.mock.calls.filter(([n]) => n === name).reduce((sum, [, , value]) => sum + Number(value), 0);
    expect(counted('EventsConsumed')).toBe(100);
    expect(counted('EventsDuplicate')).toBe(20);
    publish.mockRestore();
    addMetric.mockRestore();
  }, SLOW_DYNAMODB_LOCAL_MS);

  it('credits once when two instances handle the same batch at the same time', async () => {
    const manager = randomUUID();
    const task = randomUUID();
    await doc.send(new PutCommand({ TableName: table, Item: { ...bonusKeys.manager(manager), manager_uid: manager, payout_account: 'ACC', version: 1 } }));
    await storeRatingVersion(doc, table, { task_uid: task, rating: 3, version: 1, rated_at: '2026-11-24T09:00:00.000Z' });
    const events = Array.from({ length: 10 }, () => bonusTaskSolved(task, manager, randomUUID(), '2026-11-24T10:00:00.000Z'));
    const answers = await Promise.all(instances.map((instance) => instance({ Records: events.map((e) => sqsRecord(e)) })));
    expect(answers).toEqual([{ batchItemFailures: [] }, { batchItemFailures: [] }]);
    expect(await balance(manager)).toEqual({ balance: 3000, entries: 10 });
    expect(await ledgerSize(manager)).toBe(10);
  }, SLOW_DYNAMODB_LOCAL_MS);

  it('keeps last-write-wins semantics in a batch: a stale update is skipped and its marker written, in the same transaction as the rest', async () => {
    const lww: BatchEventHandler<'ManagerUpdated', '1'> = {
      reads: () => [],
      decide: (event, _read, ctx) => ({
        writes: [lastWriteWinsPut({ tableName: ctx.tableName, item: { pk: `LWW#${event.payload.manager_uid}`, sk: 'MANAGER', login: event.payload.login, version: event.payload.version } })],
      }),
    };
    const consumer = createConsumer({ consumer: 'lww', handlers: { ManagerUpdated: { '1': lww } }, tableName: table, queueUrl: 'q', deadLetterQueueUrl: 'd', clients: { doc, sqs } });
    const [a, b] = [randomUUID(), randomUUID()];
    expect((await consumer({ Records: [sqsRecord(managerUpdated(3, a))] })).batchItemFailures).toEqual([]);
    const stale = managerUpdated(2, a);
    const fresh = managerUpdated(1, b);
    expect((await consumer({ Records: [sqsRecord(stale), sqsRecord(fresh)] })).batchItemFailures).toEqual([]);

    const get = async (pk: string, sk: string) => (await doc.send(new GetCommand({ TableName: table, Key: { pk, sk }, ConsistentRead: true }))).Item;
    expect(await get(`LWW#${a}`, 'MANAGER')).toMatchObject({ version: 3, login: 'login-v3' });
    expect(await get(`LWW#${b}`, 'MANAGER')).toMatchObject({ version: 1 });
    expect(await get(`PROCESSED#lww#${stale.event_id}`, 'PROCESSED')).toBeDefined();
  });
});
