import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
});

import { republishFailedBatches } from '../../../lambdas/shared/messaging/publisher/republishFailedBatches.js';
import { streamBatchWindow } from '../../../lambdas/shared/messaging/publisher/streamBatchWindow.js';
import { taskSolved } from './factories.js';

const sqs = new SQSClient({ region: 'eu-west-1' });
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' }));
const eventBridge = new EventBridgeClient({ region: 'eu-west-1' });
const sqsMock = mockClient(sqs);
const docMock = mockClient(doc);
const ebMock = mockClient(eventBridge);

const failureMessage = (first: string, last: string, id = 'msg-1') => ({
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
      batchSize: 3,
      streamArn: 'arn:aws:dynamodb:eu-west-1:111111111111:table/hiring/stream/2026',
    },
  }),
});

const deps = { sqs, doc, eventBridge, failureQueueUrl: 'fq', tableName: 'hiring', eventBusName: 'hiring-events', marginSeconds: 60 };

beforeEach(() => {
  sqsMock.reset();
  docMock.reset();
  ebMock.reset();
  sqsMock.on(DeleteMessageCommand).resolves({});
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

    expect(summary).toEqual({ messagesDone: 1, messagesLeft: 0, eventsRepublished: 2, eventsFailed: 0 });
    const queries = docMock.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(queries.map((q) => q.ExpressionAttributeValues![':pk'])).toEqual(['OUTBOX#2026-11-24', 'OUTBOX#2026-11-25']);
    expect(queries[0]).toMatchObject({
      IndexName: 'gsi1',
      ExpressionAttributeValues: { ':from': '2026-11-24T23:58:30.000Z', ':to': '2026-11-25T00:01:10.000Z~' },
    });
    const entries = ebMock.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries!;
    expect(entries.map((e) => JSON.parse(e.Detail!).event_id)).toEqual(events.map((e) => e.event_id));
    expect(entries[0]).toMatchObject({ Source: 'hiring-events.hiring', DetailType: 'TaskSolved', EventBusName: 'hiring-events' });
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
    expect(summary).toEqual({ messagesDone: 0, messagesLeft: 1, eventsRepublished: 1, eventsFailed: 1 });
    expect(sqsMock.commandCalls(DeleteMessageCommand)).toHaveLength(0);
  });

  it('stops when a message comes back in the same run, and leaves unreadable messages', async () => {
    const unreadable = { MessageId: 'x', ReceiptHandle: 'rh-x', Body: 'not json' };
    sqsMock.on(ReceiveMessageCommand).resolves({ Messages: [unreadable] });
    const summary = await republishFailedBatches(deps);
    expect(summary.messagesLeft).toBe(1);
    expect(sqsMock.commandCalls(ReceiveMessageCommand)).toHaveLength(2);
    expect(sqsMock.commandCalls(DeleteMessageCommand)).toHaveLength(0);
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
