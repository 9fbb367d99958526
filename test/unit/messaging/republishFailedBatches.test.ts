import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
});

import { republishFailedBatches } from '../../../lambdas/shared/messaging/publisher/republishFailedBatches.js';
import { republishRequest } from '../../../lambdas/shared/messaging/publisher/republisherHandler.js';
import { streamBatchWindow } from '../../../lambdas/shared/messaging/publisher/streamBatchWindow.js';
import { taskSolved } from './factories.js';

const sqs = new SQSClient({ region: 'eu-west-1' });
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' }));
const eventBridge = new EventBridgeClient({ region: 'eu-west-1' });
const sqsMock = mockClient(sqs);
const docMock = mockClient(doc);
const ebMock = mockClient(eventBridge);

const failureMessage = (first: string, last: string, id = 'msg-1', batchSize = 2) => ({
  MessageId: id,
  ReceiptHandle: `rh-${id}`,
  Body: JSON.stringify({
    requestContext: { condition: 'RetryAttemptsExhausted' },
    version: '1.0',
    timestamp: last,
    DDBStreamBatchInfo: {
      shardId: 'shardId-1',
      startSequenceNumber: '100',
      endSequenceNumber: '120',
      approximateArrivalOfFirstRecord: first,
      approximateArrivalOfLastRecord: last,
      batchSize,
      streamArn: 'arn:aws:dynamodb:eu-west-1:111111111111:table/hiring/stream/2026',
    },
  }),
});

const NOW = new Date('2026-12-01T12:00:00Z');
const deps = { sqs, doc, eventBridge, failureQueueUrl: 'fq', unresolvedQueueUrl: 'uq', tableName: 'hiring', eventBusName: 'prod-hiring-events', marginSeconds: 60, now: () => NOW };

beforeEach(() => {
  sqsMock.reset();
  docMock.reset();
  ebMock.reset();
  sqsMock.on(DeleteMessageCommand).resolves({});
  sqsMock.on(SendMessageCommand).resolves({ MessageId: 'moved' });
});

describe('streamBatchWindow', () => {
  it('widens the arrival window of the failed batch by the margin', () => {
    const window = streamBatchWindow(failureMessage('2026-11-24T10:00:00Z', '2026-11-24T10:00:05Z').Body, 60);
    expect(window?.from).toBe(Date.parse('2026-11-24T09:59:00Z'));
    expect(window?.to).toBe(Date.parse('2026-11-24T10:01:05Z'));
    expect(streamBatchWindow('{"other":1}', 60)).toBeUndefined();
    expect(streamBatchWindow('nope', 60)).toBeUndefined();
  });
});

describe('republishFailedBatches', () => {
  it('queries the outbox GSI for each UTC day of the window, re-puts the events and deletes the message', async () => {
    const events = [taskSolved(), taskSolved()];
    sqsMock
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [failureMessage('2026-11-24T23:59:30Z', '2026-11-25T00:00:10Z')] })
      .resolves({ Messages: [] });
    docMock.on(QueryCommand).callsFake((input: { ExpressionAttributeValues: Record<string, string> }) =>
      input.ExpressionAttributeValues[':pk'] === 'OUTBOX#2026-11-24' ? { Items: [{ event: events[0] }] } : { Items: [{ event: events[1] }] },
    );
    ebMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'a' }, { EventId: 'b' }] });

    const summary = await republishFailedBatches(deps);

    expect(summary).toEqual({ messagesDone: 1, messagesLeft: 0, messagesUnresolved: 0, eventsRepublished: 2, eventsFailed: 0 });
    const queries = docMock.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(queries.map((q) => q.ExpressionAttributeValues![':pk'])).toEqual(['OUTBOX#2026-11-24', 'OUTBOX#2026-11-25']);
    expect(queries[0]).toMatchObject({
      IndexName: 'gsi1',
      ExpressionAttributeValues: { ':from': '2026-11-24T23:58:30.000Z', ':to': '2026-11-25T00:01:10.000Z~' },
    });
    const entries = ebMock.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries!;
    expect(entries.map((e) => JSON.parse(e.Detail!).event_id)).toEqual(events.map((e) => e.event_id));
    expect(entries[0]).toMatchObject({ Source: 'hiring-events.hiring', DetailType: 'TaskSolved', EventBusName: 'prod-hiring-events' });
    expect(sqsMock.commandCalls(DeleteMessageCommand)[0]!.args[0].input).toEqual({ QueueUrl: 'fq', ReceiptHandle: 'rh-msg-1' });
  });

  it('keeps the failure message when a re-put fails', async () => {
    sqsMock
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [failureMessage('2026-11-24T10:00:00Z', '2026-11-24T10:00:01Z')] })
      .resolves({ Messages: [] });
    docMock.on(QueryCommand).resolves({ Items: [{ event: taskSolved() }, { event: taskSolved() }] });
    ebMock.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ EventId: 'a' }, { ErrorCode: 'InternalFailure' }] });
    const summary = await republishFailedBatches(deps);
    expect(summary).toEqual({ messagesDone: 0, messagesLeft: 1, messagesUnresolved: 0, eventsRepublished: 1, eventsFailed: 1 });
    expect(sqsMock.commandCalls(DeleteMessageCommand)).toHaveLength(0);
    expect(sqsMock.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  it('stops when a message comes back in the same run', async () => {
    sqsMock.on(ReceiveMessageCommand).resolves({ Messages: [failureMessage('2026-11-24T10:00:00Z', '2026-11-24T10:00:01Z')] });
    ebMock.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure' }] });
    docMock.on(QueryCommand).resolves({ Items: [{ event: taskSolved() }] });
    const summary = await republishFailedBatches(deps);
    expect(summary.messagesLeft).toBe(1);
    expect(sqsMock.commandCalls(ReceiveMessageCommand)).toHaveLength(2);
  });

  /** The one message moved to the unresolved queue: its body and attributes, and that the original was deleted after. */
  const moved = () => {
    const sends = sqsMock.commandCalls(SendMessageCommand).map((c) => c.args[0].input);
    expect(sends).toHaveLength(1);
    const deletes = sqsMock.commandCalls(DeleteMessageCommand).map((c) => c.args[0].input);
    expect(deletes).toEqual([{ QueueUrl: 'fq', ReceiptHandle: 'rh-msg-1' }]);
    // Sent before deleted: a failed send leaves the original in place.
    const order = sqsMock.calls().map((c) => (c.args[0] as object).constructor.name).filter((n) => n !== 'ReceiveMessageCommand');
    expect(order).toEqual(['SendMessageCommand', 'DeleteMessageCommand']);
    const attributes = Object.fromEntries(Object.entries(sends[0]!.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue]));
    return { queueUrl: sends[0]!.QueueUrl, body: sends[0]!.MessageBody, attributes };
  };

  it('never drops a failure message whose events are not in the outbox window: it moves to the unresolved queue with the reason', async () => {
    const message = failureMessage('2026-11-24T10:00:00Z', '2026-11-24T10:00:01Z');
    sqsMock.on(ReceiveMessageCommand).resolvesOnce({ Messages: [message] }).resolves({ Messages: [] });
    docMock.on(QueryCommand).resolves({ Items: [] });
    const summary = await republishFailedBatches(deps);
    expect(summary).toEqual({ messagesDone: 0, messagesLeft: 0, messagesUnresolved: 1, eventsRepublished: 0, eventsFailed: 0 });
    const { queueUrl, body, attributes } = moved();
    expect(queueUrl).toBe('uq');
    expect(body).toBe(message.Body);
    expect(attributes).toEqual({
      'failure-kind': 'unresolved',
      'failure-reason': expect.stringMatching(/^no outbox event found in 2026-11-24T09:59:00.000Z..2026-11-24T10:01:01.000Z \(±60 s\); outbox rows live 30 days/),
      'failed-at': NOW.toISOString(),
      'source-queue': 'fq',
    });
    expect(ebMock.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it('re-puts the events it finds but keeps the message when fewer than the batch had were found (a produced_at outside the window)', async () => {
    sqsMock.on(ReceiveMessageCommand).resolvesOnce({ Messages: [failureMessage('2026-11-24T10:00:00Z', '2026-11-24T10:00:01Z', 'msg-1', 3)] }).resolves({ Messages: [] });
    docMock.on(QueryCommand).resolves({ Items: [{ event: taskSolved() }, { event: taskSolved() }] });
    ebMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'a' }, { EventId: 'b' }] });
    const summary = await republishFailedBatches(deps);
    expect(summary).toEqual({ messagesDone: 0, messagesLeft: 0, messagesUnresolved: 1, eventsRepublished: 2, eventsFailed: 0 });
    expect(moved().attributes['failure-reason']).toMatch(/^found 2 outbox event\(s\) in .* for a batch of 3;/);
  });

  it('moves a message that is not a stream failure record to the unresolved queue instead of leaving it to expire', async () => {
    sqsMock.on(ReceiveMessageCommand).resolvesOnce({ Messages: [{ MessageId: 'msg-1', ReceiptHandle: 'rh-msg-1', Body: 'not json' }] }).resolves({ Messages: [] });
    const summary = await republishFailedBatches(deps);
    expect(summary.messagesUnresolved).toBe(1);
    expect(moved()).toMatchObject({ queueUrl: 'uq', body: 'not json', attributes: { 'failure-reason': expect.stringMatching(/^not an on-failure record/) } });
  });

  it('keeps the message where it is when moving it fails', async () => {
    sqsMock.on(ReceiveMessageCommand).resolvesOnce({ Messages: [failureMessage('2026-11-24T10:00:00Z', '2026-11-24T10:00:01Z')] }).resolves({ Messages: [] });
    docMock.on(QueryCommand).resolves({ Items: [] });
    sqsMock.on(SendMessageCommand).rejects(new Error('throttled'));
    await expect(republishFailedBatches(deps)).rejects.toThrow('throttled');
    expect(sqsMock.commandCalls(DeleteMessageCommand)).toHaveLength(0);
  });

  it('leaves still-unresolved messages in place when retrying the unresolved queue itself, and resolves the rest', async () => {
    sqsMock
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [failureMessage('2026-11-24T10:00:00Z', '2026-11-24T10:00:01Z', 'msg-1'), failureMessage('2026-11-25T10:00:00Z', '2026-11-25T10:00:01Z', 'msg-2')] })
      .resolves({ Messages: [] });
    docMock.on(QueryCommand).callsFake((input: { ExpressionAttributeValues: Record<string, string> }) =>
      input.ExpressionAttributeValues[':pk'] === 'OUTBOX#2026-11-25' ? { Items: [{ event: taskSolved() }, { event: taskSolved() }] } : { Items: [] },
    );
    ebMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'a' }, { EventId: 'b' }] });
    const summary = await republishFailedBatches({ ...deps, failureQueueUrl: 'uq', unresolvedQueueUrl: undefined, marginSeconds: 3600 });
    expect(summary).toEqual({ messagesDone: 1, messagesLeft: 0, messagesUnresolved: 1, eventsRepublished: 2, eventsFailed: 0 });
    expect(sqsMock.commandCalls(SendMessageCommand)).toHaveLength(0);
    expect(sqsMock.commandCalls(DeleteMessageCommand).map((c) => c.args[0].input)).toEqual([{ QueueUrl: 'uq', ReceiptHandle: 'rh-msg-2' }]);
  });

  it('follows GSI pagination', async () => {
    sqsMock
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [failureMessage('2026-11-24T10:00:00Z', '2026-11-24T10:00:01Z')] })
      .resolves({ Messages: [] });
    docMock
      .on(QueryCommand)
      .resolvesOnce({ Items: [{ event: taskSolved() }], LastEvaluatedKey: { pk: 'a' } })
      .resolvesOnce({ Items: [{ event: taskSolved() }] });
    ebMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'a' }, { EventId: 'b' }] });
    const summary = await republishFailedBatches(deps);
    expect(summary.eventsRepublished).toBe(2);
    expect(docMock.commandCalls(QueryCommand)[1]!.args[0].input.ExclusiveStartKey).toEqual({ pk: 'a' });
  });
});

describe("republishRequest (the republisher's input)", () => {
  it('ignores a scheduled event and reads an operator\'s retry of the unresolved queue', () => {
    expect(republishRequest({ 'detail-type': 'Scheduled Event', source: 'aws.events' })).toEqual({ retryUnresolved: false, marginSeconds: undefined });
    expect(republishRequest(undefined)).toEqual({ retryUnresolved: false, marginSeconds: undefined });
    expect(republishRequest({ retryUnresolved: true, marginSeconds: 3600 })).toEqual({ retryUnresolved: true, marginSeconds: 3600 });
    expect(() => republishRequest({ marginSeconds: '3600' })).toThrow(/marginSeconds must be an integer/);
    expect(() => republishRequest({ marginSeconds: -1 })).toThrow(/marginSeconds must be an integer/);
  });
});
