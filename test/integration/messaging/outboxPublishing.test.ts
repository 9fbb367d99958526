import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
});

import { writeWithOutbox } from '../../../lambdas/shared/messaging/index.js';
import { publishOutboxRecords } from '../../../lambdas/shared/messaging/publisher/publishOutboxRecords.js';
import { republishFailedBatches } from '../../../lambdas/shared/messaging/publisher/republishFailedBatches.js';
import { localClients, uniqueName } from '../../support/aws.js';
import { taskSolved } from '../../unit/messaging/factories.js';
import { createServiceTable, isOutboxInsert, readStream, streamsClient, toLambdaRecord } from './helpers.js';
import type { LooseJson } from '../../../local/looseJson.js';

const { dynamodb, doc, sqs } = localClients();
const streams = streamsClient();
const eventBridge = new EventBridgeClient({ region: 'us-east-1' });
const eventBridgeMock = mockClient(eventBridge);
const table = uniqueName('hiring');
let streamArn: string;

beforeAll(async () => {
  streamArn = await createServiceTable(dynamodb, table, { stream: true });
});
beforeEach(() => {
  eventBridgeMock.reset();
});

const solution = (id: string) => ({
  Put: { TableName: table, Item: { pk: `SOLUTION#${id}`, sk: 'SOLUTION', status: 'solved' }, ConditionExpression: 'attribute_not_exists(pk)' },
});
const getItem = (pk: string, sk: string) => doc.send(new GetCommand({ TableName: table, Key: { pk, sk } })).then((r) => r.Item);

/** Answers PutEvents as EventBridge would, failing entries whose event_id is in `failing`. */
function eventBridgeAnswers(failing: Set<string> = new Set()) {
  eventBridgeMock.on(PutEventsCommand).callsFake((input: { Entries: PutEventsRequestEntry[] }) => {
    const entries = input.Entries.map((e) =>
      failing.has(JSON.parse(e.Detail!).event_id) ? { ErrorCode: 'InternalFailure', ErrorMessage: 'x' } : { EventId: crypto.randomUUID() },
    );
    return { FailedEntryCount: entries.filter((e) => 'ErrorCode' in e).length, Entries: entries };
  });
}
/** A Lambda on-failure record of a DynamoDB stream batch, as the publisher's failure queue receives it. */
const failureBody = (first: string, last: string, batchSize: number) =>
  JSON.stringify({
    version: '1.0',
    DDBStreamBatchInfo: { shardId: 'shardId-1', startSequenceNumber: '1', endSequenceNumber: '2', approximateArrivalOfFirstRecord: first, approximateArrivalOfLastRecord: last, batchSize, streamArn },
  });
const putDetails = () =>
  eventBridgeMock.commandCalls(PutEventsCommand).flatMap((c) => c.args[0].input.Entries!.map((e) => JSON.parse(e.Detail!)));

describe('transactional outbox against DynamoDB Local', () => {
  it('stores the state change and the outbox row together', async () => {
    const event = taskSolved();
    await writeWithOutbox(doc, table, { changes: [solution('a')], events: [event] });
    expect(await getItem('SOLUTION#a', 'SOLUTION')).toBeDefined();
    expect(await getItem(`OUTBOX#${event.event_id}`, 'OUTBOX')).toMatchObject({ item_type: 'outbox', event });
  });

  it('writes no outbox row when a condition on the change fails', async () => {
    await doc.send(new PutCommand({ TableName: table, Item: { pk: 'SOLUTION#b', sk: 'SOLUTION' } }));
    const event = taskSolved();
    const error = await writeWithOutbox(doc, table, { changes: [solution('b')], events: [event] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransactionCanceledException);
    expect(await getItem(`OUTBOX#${event.event_id}`, 'OUTBOX')).toBeUndefined();
  });

  it('writes no state change when an event is invalid', async () => {
    const bad = { ...taskSolved(), producer: 'bonus' };
    await expect(writeWithOutbox(doc, table, { changes: [solution('c')], events: [bad] })).rejects.toThrow(/producer/);
    expect(await getItem('SOLUTION#c', 'SOLUTION')).toBeUndefined();
  });

  it('publishes the outbox rows read from the REAL stream, and reports the first failed record', async () => {
    const events = Array.from({ length: 12 }, () => taskSolved());
    for (const [i, event] of events.entries()) {
      await writeWithOutbox(doc, table, { changes: [solution(`p${i}`)], events: [event] });
    }
    const all = await readStream(streams, streamArn);
    const outboxRecords = all.filter(isOutboxInsert).map(toLambdaRecord);
    const mine = outboxRecords.filter((r) => events.some((e) => (r.dynamodb!.NewImage as LooseJson).event.M.event_id.S === e.event_id));
    expect(mine).toHaveLength(12);
    // The state-change inserts are in the stream too; the filter keeps them from the publisher.
    expect(all.length).toBeGreaterThan(outboxRecords.length);

    eventBridgeAnswers(new Set([events[4]!.event_id]));
    const result = await publishOutboxRecords(mine, { eventBridge, eventBusName: 'hiring-events' });
    expect(putDetails().slice(0, 10)).toEqual(events.slice(0, 10));
    expect(result.failed.map((f) => f.eventId)).toEqual([events[4]!.event_id]);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: mine[4]!.dynamodb!.SequenceNumber }]);

    // Lambda retries from the checkpoint: the records from the failed one on.
    eventBridgeMock.reset();
    eventBridgeAnswers();
    const retry = await publishOutboxRecords(mine.slice(4), { eventBridge, eventBusName: 'hiring-events' });
    expect(retry.batchItemFailures).toEqual([]);
    expect(putDetails()).toEqual(events.slice(4));
  });

  it('republishes the events of a given-up stream batch from the outbox GSI and deletes the failure message', async () => {
    const producedAt = new Date('2026-11-20T08:00:00.000Z');
    const inWindow = [taskSolved({ producedAt }), taskSolved({ producedAt: new Date(producedAt.getTime() + 2000) })];
    const outside = taskSolved({ producedAt: new Date(producedAt.getTime() + 3_600_000) });
    for (const event of [...inWindow, outside]) await writeWithOutbox(doc, table, { changes: [], events: [event] });

    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('outbox-failures') }));
    const { QueueUrl: unresolvedQueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('outbox-unresolved') }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: failureBody('2026-11-20T08:00:00Z', '2026-11-20T08:00:02Z', 2) }));
    eventBridgeAnswers();
    const summary = await republishFailedBatches({
      sqs, doc, eventBridge, failureQueueUrl: QueueUrl!, unresolvedQueueUrl, tableName: table, eventBusName: 'hiring-events', marginSeconds: 60,
    });
    expect(summary).toEqual({ messagesDone: 1, messagesLeft: 0, messagesUnresolved: 0, eventsRepublished: 2, eventsFailed: 0 });
    expect(putDetails()).toEqual(inWindow);
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
    );
    expect(Attributes).toMatchObject({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' });
  });

  it('keeps a failure message whose events are gone in the unresolved queue, body unchanged, with the reason', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('outbox-failures') }));
    const { QueueUrl: unresolvedQueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('outbox-unresolved') }));
    // A batch of two from a time no outbox row of this table has (rows expired, or produced far outside the window).
    const body = failureBody('2026-10-01T08:00:00Z', '2026-10-01T08:00:01Z', 2);
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body }));
    eventBridgeAnswers();
    const summary = await republishFailedBatches({
      sqs, doc, eventBridge, failureQueueUrl: QueueUrl!, unresolvedQueueUrl, tableName: table, eventBusName: 'hiring-events', marginSeconds: 60,
    });
    expect(summary).toEqual({ messagesDone: 0, messagesLeft: 0, messagesUnresolved: 1, eventsRepublished: 0, eventsFailed: 0 });
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: unresolvedQueueUrl, MessageAttributeNames: ['All'], WaitTimeSeconds: 1 }));
    expect(Messages).toHaveLength(1);
    expect(Messages[0]!.Body).toBe(body);
    expect(Messages[0]!.MessageAttributes?.['failure-kind']?.StringValue).toBe('unresolved');
    expect(Messages[0]!.MessageAttributes?.['failure-reason']?.StringValue).toMatch(/^no outbox event found in 2026-10-01T07:59:00.000Z/);
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
    );
    expect(Attributes).toMatchObject({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' });
  });
});
