import { randomUUID } from 'node:crypto';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, TransactWriteCommand, type BatchGetCommandInput, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
});

import { WRITE_RETRY_LOG_MESSAGE } from '../../../lambdas/shared/dynamodb/constants.js';
import { metrics } from '../../../lambdas/shared/observability.js';
import {
  createConsumer,
  lastWriteWinsPut,
  poison,
  prerequisiteMissing,
  RETRY_LOG,
  type BatchEventHandler,
  type ConsumerHandlers,
  type TableKey,
  type TransactWriteItem,
} from '../../../lambdas/shared/messaging/index.js';
import { awsError, managerUpdated, sqsRecord, taskSolved, transactionCanceled } from './factories.js';

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' }));
const sqs = new SQSClient({ region: 'eu-west-1' });
const docMock = mockClient(doc);
const sqsMock = mockClient(sqs);

const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/111111111111/bonus-queue';
const DLQ_URL = 'https://sqs.eu-west-1.amazonaws.com/111111111111/bonus-dlq';
const TABLE = 'bonus-table';

type TaskSolvedEvent = ReturnType<typeof taskSolved>;
/** Events carry uuids: one per manager name of a test. */
const uids = new Map<string, string>();
const uid = (name: string): string => uids.get(name) ?? uids.set(name, randomUUID()).get(name)!;
const managerKey = (uid: string): TableKey => ({ pk: `MANAGER#${uid}`, sk: 'MANAGER' });
const balanceKey = (uid: string): TableKey => ({ pk: `MANAGER#${uid}`, sk: 'BALANCE' });
const markerPk = (event: { event_id: string }) => `PROCESSED#bonus#${event.event_id}`;
const ledgerPut = (event: TaskSolvedEvent, amount: number): TransactWriteItem => ({
  Put: {
    TableName: TABLE,
    Item: { pk: `MANAGER#${event.payload.task_manager_uid}`, sk: `LEDGER#${event.event_id}`, amount },
    ConditionExpression: 'attribute_not_exists(pk)',
  },
});

/** Credits the manager's `rate`: reads the manager, writes a ledger line and the balance increment. */
const credit: BatchEventHandler<'TaskSolved', '0'> = {
  reads: (event) => [managerKey(event.payload.task_manager_uid)],
  decide: (event, read, ctx) => {
    const manager = read.get<{ rate: number }>(managerKey(event.payload.task_manager_uid));
    if (!manager) return prerequisiteMissing(`manager ${event.payload.task_manager_uid} unknown`);
    if (manager.rate < 0) return poison('negative rate');
    if (manager.rate === 0) return {};
    if (manager.rate === 13) throw new TypeError('unlucky');
    return {
      writes: [ledgerPut(event, manager.rate)],
      increments: [{ key: balanceKey(event.payload.task_manager_uid), add: { balance: manager.rate, entries: 1 }, set: { updated_at: ctx.now.toISOString() } }],
    };
  },
};

/** Items "in the table" that BatchGetItem answers with. */
let stored: Map<string, Record<string, unknown>>;
const store = (item: Record<string, unknown>) => stored.set(`${item.pk}|${item.sk}`, item);

function consumerWith(handlers: ConsumerHandlers, retry = { baseDelayMs: 1, maxDelayMs: 4 }) {
  return createConsumer({
    consumer: 'bonus',
    handlers,
    parking: { maxAttempts: 3, baseDelaySeconds: 30 },
    retry,
    tableName: TABLE,
    queueUrl: QUEUE_URL,
    deadLetterQueueUrl: DLQ_URL,
    clients: { doc, sqs },
    now: () => new Date('2026-11-24T12:00:00.000Z'),
  });
}

const batchGets = () => docMock.commandCalls(BatchGetCommand).map((call) => call.args[0].input as BatchGetCommandInput);
const transactions = () => docMock.commandCalls(TransactWriteCommand).map((call) => (call.args[0].input as TransactWriteCommandInput).TransactItems!);
const sends = () => sqsMock.commandCalls(SendMessageCommand).map((call) => call.args[0].input);
const pkOf = (item: TransactWriteItem) => (item.Put?.Item?.pk ?? item.Update?.Key?.pk) as string;
const metricTotals = (spy: ReturnType<typeof vi.spyOn>) => {
  const totals: Record<string, number> = {};
  for (const [name, , value] of spy.mock.calls as [string, string, number][]) totals[name] = (totals[name] ?? 0) + value;
  return totals;
};

let addMetric: ReturnType<typeof vi.spyOn>;
let info: ReturnType<typeof vi.spyOn>;
let warn: ReturnType<typeof vi.spyOn>;
beforeEach(() => {
  stored = new Map();
  docMock.reset();
  sqsMock.reset();
  sqsMock.on(SendMessageCommand).resolves({ MessageId: 'm' });
  docMock.on(BatchGetCommand).callsFake((input: BatchGetCommandInput) => {
    const [table, request] = Object.entries(input.RequestItems!)[0]!;
    const found = request.Keys!.map((key) => stored.get(`${key.pk}|${key.sk}`)).filter(Boolean);
    return { Responses: { [table]: found } };
  });
  docMock.on(TransactWriteCommand).resolves({});
  vi.restoreAllMocks();
  addMetric = vi.spyOn(metrics, 'addMetric');
  vi.spyOn(metrics, 'publishStoredMetrics').mockReturnValue(metrics);
  info = vi.spyOn(Logger.prototype, 'info');
  warn = vi.spyOn(Logger.prototype, 'warn');
});

describe('batch handlers: one read, one write per SQS batch', () => {
  it('reads every declared key and marker in ONE BatchGetItem and writes ONE transaction with one ADD per manager', async () => {
    store({ ...managerKey(uid('m1')), rate: 100 });
    store({ ...managerKey(uid('m2')), rate: 300 });
    const events = [taskSolved({ managerUid: uid('m1') }), taskSolved({ managerUid: uid('m2') }), taskSolved({ managerUid: uid('m1') })];
    const response = await consumerWith({ TaskSolved: { '0': credit } })({ Records: events.map((e) => sqsRecord(e)) });

    expect(response.batchItemFailures).toEqual([]);
    expect(batchGets()).toHaveLength(1);
    const read = batchGets()[0]!.RequestItems![TABLE]!;
    expect(read.ConsistentRead).toBe(true);
    expect(read.Keys).toEqual(
      expect.arrayContaining([...events.map((e) => ({ pk: markerPk(e), sk: 'PROCESSED' })), managerKey(uid('m1')), managerKey(uid('m2'))]),
    );
    expect(read.Keys).toHaveLength(5); // 3 markers + 2 managers (m1 once)

    expect(transactions()).toHaveLength(1);
    const items = transactions()[0]!;
    expect(items).toHaveLength(3 + 3 + 2);
    expect(items.filter((i) => i.Put?.Item?.sk === 'PROCESSED').map(pkOf).sort()).toEqual(events.map(markerPk).sort());
    const balances = items.filter((i) => i.Update);
    expect(balances.map((i) => i.Update)).toEqual([
      {
        TableName: TABLE,
        Key: balanceKey(uid('m1')),
        UpdateExpression: 'ADD #a0 :a0, #a1 :a1 SET #s0 = :s0',
        ExpressionAttributeNames: { '#a0': 'balance', '#a1': 'entries', '#s0': 'updated_at' },
        ExpressionAttributeValues: { ':a0': 200, ':a1': 2, ':s0': '2026-11-24T12:00:00.000Z' },
      },
      expect.objectContaining({ Key: balanceKey(uid('m2')), ExpressionAttributeValues: { ':a0': 300, ':a1': 1, ':s0': '2026-11-24T12:00:00.000Z' } }),
    ]);
    expect(metricTotals(addMetric)).toEqual({ EventsConsumed: 3 });
  });

  it('drops a record whose marker exists (a duplicate at the cost of the read) and writes nothing when all are', async () => {
    store({ ...managerKey(uid('m1')), rate: 100 });
    const [done, fresh] = [taskSolved({ managerUid: uid('m1') }), taskSolved({ managerUid: uid('m1') })];
    store({ pk: markerPk(done), sk: 'PROCESSED' });
    const handler = consumerWith({ TaskSolved: { '0': credit } });

    expect((await handler({ Records: [sqsRecord(done), sqsRecord(fresh)] })).batchItemFailures).toEqual([]);
    expect(transactions()).toHaveLength(1);
    expect(transactions()[0]!.map(pkOf)).not.toContain(markerPk(done));
    expect(transactions()[0]!.find((i) => i.Update)!.Update!.ExpressionAttributeValues![':a0']).toBe(100);

    docMock.resetHistory();
    store({ pk: markerPk(fresh), sk: 'PROCESSED' });
    expect((await handler({ Records: [sqsRecord(done), sqsRecord(fresh)] })).batchItemFailures).toEqual([]);
    expect(transactions()).toHaveLength(0);
    expect(metricTotals(addMetric)).toEqual({ EventsConsumed: 1, EventsDuplicate: 3 });
  });

  it('reads and writes an event delivered twice in the same batch once', async () => {
    store({ ...managerKey(uid('m1')), rate: 100 });
    const event = taskSolved({ managerUid: uid('m1') });
    const response = await consumerWith({ TaskSolved: { '0': credit } })({ Records: [sqsRecord(event), sqsRecord(event)] });
    expect(response.batchItemFailures).toEqual([]);
    expect(batchGets()[0]!.RequestItems![TABLE]!.Keys).toHaveLength(2);
    expect(transactions()[0]!).toHaveLength(3);
    expect(metricTotals(addMetric)).toEqual({ EventsConsumed: 1, EventsDuplicate: 1 });
  });

  it('uses the item named by markedBy as the marker: read instead of PROCESSED#, written once, its condition failing = duplicate', async () => {
    store({ ...managerKey(uid('m1')), rate: 100 });
    const ledgerKey = (event: TaskSolvedEvent) => ({ pk: `MANAGER#${event.payload.task_manager_uid}`, sk: `LEDGER#${event.event_id}` });
    const marked: BatchEventHandler<'TaskSolved', '0'> = { ...credit, markedBy: ledgerKey };
    const [old, raced, fresh] = [taskSolved({ managerUid: uid('m1') }), taskSolved({ managerUid: uid('m1') }), taskSolved({ managerUid: uid('m1') })];
    store({ ...ledgerKey(old), amount: 100 });
    docMock
      .on(TransactWriteCommand)
      .callsFakeOnce((input: TransactWriteCommandInput) => {
        throw transactionCanceled(input.TransactItems!.map((item) => (item.Put?.Item?.sk === ledgerKey(raced).sk ? 'ConditionalCheckFailed' : 'None')));
      })
      .resolves({});
    const response = await consumerWith({ TaskSolved: { '0': marked } })({ Records: [old, raced, fresh].map((e) => sqsRecord(e)) });

    expect(response.batchItemFailures).toEqual([]);
    const keys = batchGets()[0]!.RequestItems![TABLE]!.Keys!;
    expect(keys).toEqual(expect.arrayContaining([ledgerKey(old), ledgerKey(raced), ledgerKey(fresh)]));
    expect(keys.some((k) => String(k.pk).startsWith('PROCESSED#'))).toBe(false);
    const [first, retry] = transactions();
    expect(first!.map((i) => i.Put?.Item?.sk ?? 'balance')).toEqual([ledgerKey(raced).sk, ledgerKey(fresh).sk, 'balance']);
    expect(first!.filter((i) => i.Put).every((i) => i.Put!.ConditionExpression === 'attribute_not_exists(pk)')).toBe(true);
    expect(retry!.map((i) => i.Put?.Item?.sk ?? 'balance')).toEqual([ledgerKey(fresh).sk, 'balance']);
    expect(metricTotals(addMetric)).toEqual({ EventsConsumed: 1, EventsDuplicate: 2 });
  });

  it('writes the ordinary marker when the effect lacks the markedBy item or puts it on another condition', async () => {
    store({ ...managerKey(uid('m1')), rate: 100 });
    const marked: BatchEventHandler<'TaskSolved', '0'> = { ...credit, markedBy: (event) => ({ pk: 'ELSEWHERE', sk: event.event_id }) };
    const event = taskSolved({ managerUid: uid('m1') });
    await consumerWith({ TaskSolved: { '0': marked } })({ Records: [sqsRecord(event)] });
    expect(transactions()[0]!.map(pkOf)).toContain(markerPk(event));
  });

  it('reads 100 keys a call, asks unprocessed keys again, and splits a write above 100 items', async () => {
    const events = Array.from({ length: 60 }, (_, i) => taskSolved({ managerUid: uid(`m${i}`) }));
    for (let i = 0; i < 60; i += 1) store({ ...managerKey(uid(`m${i}`)), rate: 10 });
    let first = true;
    docMock.on(BatchGetCommand).callsFake((input: BatchGetCommandInput) => {
      const keys = input.RequestItems![TABLE]!.Keys!;
      const [answered, unprocessed] = first && keys.length === 100 ? [keys.slice(0, 90), keys.slice(90)] : [keys, []];
      first &&= keys.length !== 100;
      return {
        Responses: { [TABLE]: answered.map((key) => stored.get(`${key.pk}|${key.sk}`)).filter(Boolean) },
        UnprocessedKeys: unprocessed.length ? { [TABLE]: { Keys: unprocessed } } : {},
      };
    });
    const response = await consumerWith({ TaskSolved: { '0': credit } })({ Records: events.map((e) => sqsRecord(e)) });

    expect(response.batchItemFailures).toEqual([]);
    expect(batchGets().map((b) => b.RequestItems![TABLE]!.Keys!.length).sort((a, b) => a - b)).toEqual([10, 20, 100]);
    const written = transactions();
    expect(written).toHaveLength(2); // 60 x (marker + ledger + balance) = 180 items
    expect(written.every((t) => t.length <= 100)).toBe(true);
    expect(written.flat().filter((i) => i.Update)).toHaveLength(60);
    expect(metricTotals(addMetric)).toMatchObject({ EventsConsumed: 60, TransactionThrottlesRetried: 1 });
  });
});

describe('batch handlers: a cancelled transaction is read item by item', () => {
  const twoCredits = () => {
    store({ ...managerKey(uid('m1')), rate: 100 });
    return [taskSolved({ managerUid: uid('m1') }), taskSolved({ managerUid: uid('m1') })] as const;
  };
  /** Fails the first transaction with `code` on the item `pick` selects, `other` elsewhere. */
  const cancelOnce = (pick: (item: TransactWriteItem) => boolean, code: string, other = 'None') =>
    docMock
      .on(TransactWriteCommand)
      .callsFakeOnce((input: TransactWriteCommandInput) => {
        throw transactionCanceled(input.TransactItems!.map((item) => (pick(item) ? code : other)));
      })
      .resolves({});

  it('drops a record whose marker now exists and writes the rest at once', async () => {
    const [duplicate, fresh] = twoCredits();
    cancelOnce((item) => pkOf(item) === markerPk(duplicate), 'ConditionalCheckFailed');
    const response = await consumerWith({ TaskSolved: { '0': credit } })({ Records: [sqsRecord(duplicate), sqsRecord(fresh)] });
    expect(response.batchItemFailures).toEqual([]);
    const [, retry] = transactions();
    expect(retry!.map(pkOf)).toEqual([markerPk(fresh), `MANAGER#${uid('m1')}`, `MANAGER#${uid('m1')}`]);
    expect(retry!.find((i) => i.Update)!.Update!.ExpressionAttributeValues![':a0']).toBe(100);
    expect(metricTotals(addMetric)).toEqual({ EventsConsumed: 1, EventsDuplicate: 1 });
    expect(info.mock.calls.filter(([message]: unknown[]) => message === RETRY_LOG.retrying)).toEqual([]);
  });

  it('writes only the marker of a stale last-write-wins update', async () => {
    const older = managerUpdated(1, uid('m9'));
    const lww: BatchEventHandler<'ManagerUpdated', '1'> = {
      reads: () => [],
      decide: (event, _read, ctx) => ({
        writes: [lastWriteWinsPut({ tableName: ctx.tableName, item: { ...managerKey(event.payload.manager_uid), version: event.payload.version } })],
      }),
    };
    const [, fresh] = twoCredits();
    cancelOnce((item) => item.Put?.Item?.sk === 'MANAGER', 'ConditionalCheckFailed');
    const response = await consumerWith({ TaskSolved: { '0': credit }, ManagerUpdated: { '1': lww } })({ Records: [sqsRecord(older), sqsRecord(fresh)] });
    expect(response.batchItemFailures).toEqual([]);
    expect(transactions()[1]!.map(pkOf)).toEqual([markerPk(older), markerPk(fresh), `MANAGER#${uid('m1')}`, `MANAGER#${uid('m1')}`]);
    expect(metricTotals(addMetric)).toEqual({ EventsConsumed: 2, EventsStale: 1 });
  });

  it("sends a record whose own condition failed to the DLQ (the handler's rule said no) and writes the rest", async () => {
    const [refused, fresh] = twoCredits();
    const refusedRecord = sqsRecord(refused);
    cancelOnce((item) => item.Put?.Item?.sk === `LEDGER#${refused.event_id}`, 'ConditionalCheckFailed');
    const response = await consumerWith({ TaskSolved: { '0': credit } })({ Records: [refusedRecord, sqsRecord(fresh)] });
    expect(response.batchItemFailures).toEqual([]);
    expect(sends()).toEqual([
      expect.objectContaining({
        QueueUrl: DLQ_URL,
        MessageBody: refusedRecord.body,
        MessageAttributes: expect.objectContaining({ 'failure-kind': { DataType: 'String', StringValue: 'poison' } }),
      }),
    ]);
    expect(sends()[0]!.MessageAttributes!['failure-reason']!.StringValue).toContain('condition failed on effect item(s) 0');
    expect(transactions()[1]!.map(pkOf)).toEqual([markerPk(fresh), `MANAGER#${uid('m1')}`, `MANAGER#${uid('m1')}`]);
  });

  it('retries a TransactionConflict in process with backoff, logging and counting each retry', async () => {
    const events = twoCredits();
    cancelOnce((item) => Boolean(item.Update), 'TransactionConflict');
    const response = await consumerWith({ TaskSolved: { '0': credit } })({ Records: events.map((e) => sqsRecord(e)) });
    expect(response.batchItemFailures).toEqual([]);
    expect(transactions()).toHaveLength(2);
    expect(transactions()[1]).toEqual(transactions()[0]);
    expect(metricTotals(addMetric)).toEqual({ TransactionConflictsRetried: 1, EventsConsumed: 2 });
    const retries = info.mock.calls.filter(([message]: unknown[]) => message === RETRY_LOG.retrying);
    expect(retries).toEqual([
      [
        RETRY_LOG.retrying,
        expect.objectContaining({ retry_reason: 'TransactionConflict', attempt: 1, records: 2, transaction_items: 5, event_ids: events.map((e) => e.event_id), delay_ms: expect.any(Number) }),
      ],
    ]);
  });

  it('returns the records to SQS when conflicts outlast the remaining time (minus the safety margin)', async () => {
    const events = twoCredits();
    docMock.on(TransactWriteCommand).callsFake((input: TransactWriteCommandInput) => {
      throw transactionCanceled(input.TransactItems!.map((item) => (item.Update ? 'TransactionConflict' : 'None')));
    });
    const records = events.map((e) => sqsRecord(e));
    const handler = consumerWith({ TaskSolved: { '0': credit } }, { baseDelayMs: 5, maxDelayMs: 20 });
    const response = await handler({ Records: records }, { getRemainingTimeInMillis: () => 3_000 + 150 } as never);

    expect(response.batchItemFailures).toEqual(records.map((r) => ({ itemIdentifier: r.messageId })));
    const attempts = transactions().length;
    expect(attempts).toBeGreaterThan(1);
    expect(metricTotals(addMetric)).toEqual({ TransactionConflictsRetried: attempts - 1, TransactionConflictsReturnedToSqs: 2 });
    expect(warn.mock.calls.filter(([message]: unknown[]) => message === RETRY_LOG.givenUp)).toEqual([
      [RETRY_LOG.givenUp, expect.objectContaining({ retry_reason: 'TransactionConflict', attempt: attempts, records: 2 })],
    ]);
    expect(sends()).toEqual([]);
  });

  it('gives up at once without a retry when no time is left', async () => {
    const events = twoCredits();
    docMock.on(TransactWriteCommand).rejects(awsError('ProvisionedThroughputExceededException'));
    const response = await consumerWith({ TaskSolved: { '0': credit } })({ Records: events.map((e) => sqsRecord(e)) }, { getRemainingTimeInMillis: () => 1_000 } as never);
    expect(response.batchItemFailures).toHaveLength(2);
    expect(transactions()).toHaveLength(1);
    expect(metricTotals(addMetric)).toEqual({ TransactionThrottlesReturnedToSqs: 2 });
  });

  it('splits a request DynamoDB refuses as invalid into one transaction per record: only the one at fault is poison', async () => {
    const [bad, good] = twoCredits();
    docMock.on(TransactWriteCommand).callsFake((input: TransactWriteCommandInput) => {
      if (input.TransactItems!.some((item) => pkOf(item) === markerPk(bad))) throw awsError('ValidationException');
      return {};
    });
    const badRecord = sqsRecord(bad);
    const response = await consumerWith({ TaskSolved: { '0': credit } })({ Records: [badRecord, sqsRecord(good)] });
    expect(response.batchItemFailures).toEqual([]);
    expect(transactions().map((t) => t.length)).toEqual([5, 3, 3]);
    expect(sends().map((s) => s.MessageBody)).toEqual([badRecord.body]);
    expect(metricTotals(addMetric)).toMatchObject({ EventsConsumed: 1, EventsDeadLettered: 1 });
  });
});

describe('batch handlers: per-record outcomes', () => {
  it('parks, dead-letters and writes record by record from the decisions', async () => {
    store({ ...managerKey(uid('ok')), rate: 100 });
    store({ ...managerKey(uid('negative')), rate: -1 });
    store({ ...managerKey(uid('nothing')), rate: 0 });
    store({ ...managerKey(uid('broken')), rate: 13 });
    const records = ['ok', 'unknown', 'negative', 'nothing', 'broken'].map((name) => sqsRecord(taskSolved({ managerUid: uid(name) })));
    const response = await consumerWith({ TaskSolved: { '0': credit } })({ Records: records });

    expect(response.batchItemFailures).toEqual([]);
    expect(transactions()).toHaveLength(1);
    expect(transactions()[0]!).toHaveLength(3);
    const byBody = new Map(sends().map((s) => [s.MessageBody, s]));
    expect(byBody.get(records[1]!.body)).toMatchObject({ QueueUrl: QUEUE_URL, DelaySeconds: 30, MessageAttributes: { 'parked-attempt': { StringValue: '1' } } });
    expect(byBody.get(records[2]!.body)!.MessageAttributes!['failure-reason']!.StringValue).toBe('PoisonError: negative rate');
    expect(byBody.get(records[4]!.body)!.MessageAttributes!['failure-reason']!.StringValue).toBe('TypeError: unlucky');
    expect(byBody.has(records[3]!.body)).toBe(false); // nothing to write: done, no marker
    expect(metricTotals(addMetric)).toEqual({ EventsParked: 1, EventsDeadLettered: 2, EventsConsumed: 2 });
  });

  it('runs per-record handlers beside the batch: their own transaction each, the batch records one together', async () => {
    store({ ...managerKey(uid('m1')), rate: 100 });
    const perRecord: ConsumerHandlers['ManagerUpdated'] = {
      '1': async (event, ctx) => [lastWriteWinsPut({ tableName: ctx.tableName, item: { ...managerKey(event.payload.manager_uid), version: event.payload.version } })],
    };
    const records = [sqsRecord(taskSolved({ managerUid: uid('m1') })), sqsRecord(managerUpdated(1)), sqsRecord(taskSolved({ managerUid: uid('m1') })), sqsRecord('not json')];
    const response = await consumerWith({ TaskSolved: { '0': credit }, ManagerUpdated: perRecord })({ Records: records });
    expect(response.batchItemFailures).toEqual([]);
    expect(transactions().map((t) => t.length).sort()).toEqual([2, 5]);
    expect(sends().map((s) => s.MessageBody)).toEqual(['not json']);
  });

  it('runs a per-record handler again (read, decide, write) on a TransactionConflict; gives the record back to SQS when conflicts outlast the time', async () => {
    let runs = 0;
    const perRecord: ConsumerHandlers['ManagerUpdated'] = {
      '1': async (event, ctx) => {
        runs += 1;
        return [lastWriteWinsPut({ tableName: ctx.tableName, item: { ...managerKey(event.payload.manager_uid), version: event.payload.version } })];
      },
    };
    let conflicts = 1;
    docMock.on(TransactWriteCommand).callsFake((input: TransactWriteCommandInput) => {
      if (conflicts-- > 0) throw transactionCanceled(input.TransactItems!.map((_, i) => (i === 0 ? 'TransactionConflict' : 'None')));
      return {};
    });
    const retried = await consumerWith({ ManagerUpdated: perRecord })({ Records: [sqsRecord(managerUpdated(1))] });
    expect(retried.batchItemFailures).toEqual([]);
    expect(runs).toBe(2);
    expect(transactions()).toHaveLength(2);
    expect(metricTotals(addMetric)).toEqual({ TransactionConflictsRetried: 1, EventsConsumed: 1 });
    expect(info.mock.calls.filter(([message]: unknown[]) => message === WRITE_RETRY_LOG_MESSAGE)).toEqual([
      [WRITE_RETRY_LOG_MESSAGE, expect.objectContaining({ reason: 'TransactionConflict', attempt: 1, delay_ms: expect.any(Number) })],
    ]);

    docMock.resetHistory();
    addMetric.mockClear();
    conflicts = Number.POSITIVE_INFINITY;
    const record = sqsRecord(managerUpdated(2));
    const handler = consumerWith({ ManagerUpdated: perRecord }, { baseDelayMs: 5, maxDelayMs: 20 });
    const givenBack = await handler({ Records: [record] }, { getRemainingTimeInMillis: () => 3_000 + 150 } as never);
    expect(givenBack.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
    expect(transactions().length).toBeGreaterThan(1);
    expect(sends()).toEqual([]);
  });

  it('runs prepare before the read; a failing prepare settles only its own record', async () => {
    const order: string[] = [];
    docMock.on(BatchGetCommand).callsFake((input: BatchGetCommandInput) => {
      order.push('read');
      const keys = input.RequestItems![TABLE]!.Keys!;
      return { Responses: { [TABLE]: keys.map((key) => stored.get(`${key.pk}|${key.sk}`)).filter(Boolean) } };
    });
    const prepared: BatchEventHandler<'TaskSolved', '0'> = {
      ...credit,
      prepare: async (event) => {
        if (event.payload.task_manager_uid === uid('down')) throw awsError('ServiceUnavailable', 'server');
        store({ ...managerKey(event.payload.task_manager_uid), rate: 7 });
        order.push('prepare');
      },
    };
    const records = [sqsRecord(taskSolved({ managerUid: uid('m1') })), sqsRecord(taskSolved({ managerUid: uid('down') }))];
    const response = await consumerWith({ TaskSolved: { '0': prepared } })({ Records: records });
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: records[1]!.messageId }]);
    expect(order).toEqual(['prepare', 'read']);
    expect(transactions()[0]!.find((i) => i.Update)!.Update!.ExpressionAttributeValues![':a0']).toBe(7);
  });

  it('retries a throttled read in process, then reports every record when it stays throttled', async () => {
    store({ ...managerKey(uid('m1')), rate: 100 });
    docMock.on(BatchGetCommand).rejectsOnce(awsError('ProvisionedThroughputExceededException'));
    const records = [sqsRecord(taskSolved({ managerUid: uid('m1') }))];
    expect((await consumerWith({ TaskSolved: { '0': credit } })({ Records: records })).batchItemFailures).toEqual([]);
    expect(batchGets()).toHaveLength(2);

    docMock.on(BatchGetCommand).rejects(awsError('ProvisionedThroughputExceededException'));
    const again = await consumerWith({ TaskSolved: { '0': credit } })({ Records: records }, { getRemainingTimeInMillis: () => 3_050 } as never);
    expect(again.batchItemFailures).toEqual([{ itemIdentifier: records[0]!.messageId }]);
  });
});
