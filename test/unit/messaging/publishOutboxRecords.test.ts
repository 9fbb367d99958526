import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
});

import { metrics } from '../../../lambdas/shared/observability.js';
import { publishOutboxRecords } from '../../../lambdas/shared/messaging/publisher/publishOutboxRecords.js';
import { outboxStreamRecord, taskSolved } from './factories.js';
import type { LooseJson } from '../../../local/looseJson.js';

const eventBridgeMock = mockClient(EventBridgeClient);
const eventBridge = new EventBridgeClient({ region: 'eu-west-1' });
const deps = { eventBridge, eventBusName: 'hiring-events' };

const records = (count: number) => {
  const events = Array.from({ length: count }, () => taskSolved());
  return { events, records: events.map((event, i) => outboxStreamRecord(event, String(1000 + i))) };
};

/** Answers PutEvents, failing the entries whose event_id is in `failing`. */
function answerFailing(failing: Set<string>, code = 'InternalFailure') {
  eventBridgeMock.on(PutEventsCommand).callsFake((input: { Entries: PutEventsRequestEntry[] }) => {
    const entries = input.Entries.map((entry) => {
      const id = JSON.parse(entry.Detail!).event_id as string;
      return failing.has(id) ? { ErrorCode: code, ErrorMessage: 'boom' } : { EventId: `eb-${id}` };
    });
    return { FailedEntryCount: entries.filter((e) => 'ErrorCode' in e).length, Entries: entries };
  });
}

const sentEntries = () => eventBridgeMock.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries!);

beforeEach(() => {
  eventBridgeMock.reset();
  vi.restoreAllMocks();
});

describe('publishOutboxRecords', () => {
  it('puts each envelope with Source hiring-events.<producer>, DetailType = name, Detail = envelope', async () => {
    answerFailing(new Set());
    const { events, records: batch } = records(3);
    const result = await publishOutboxRecords(batch, deps);
    expect(result.published).toEqual(events.map((e) => e.event_id));
    expect(result.batchItemFailures).toEqual([]);
    const [entries] = sentEntries();
    expect(entries![0]).toEqual({
      EventBusName: 'hiring-events',
      Source: 'hiring-events.hiring',
      DetailType: 'TaskSolved',
      Detail: JSON.stringify(events[0]),
    });
  });

  it('chunks by 10 entries per call, in stream order', async () => {
    answerFailing(new Set());
    const { events, records: batch } = records(25);
    await publishOutboxRecords(batch, deps);
    const calls = sentEntries();
    expect(calls.map((c) => c.length)).toEqual([10, 10, 5]);
    expect(calls.flat().map((e) => JSON.parse(e.Detail!).event_id)).toEqual(events.map((e) => e.event_id));
  });

  it('chunks by size: no call above 256 KB', async () => {
    answerFailing(new Set());
    // Events padded through correlation-free payload fields are impossible (schema), so pad the
    // stored envelope itself: the publisher forwards what the outbox holds.
    const { records: batch } = records(4);
    for (const record of batch) {
      const image = record.dynamodb!.NewImage as LooseJson;
      image.event.M.padding = { S: 'x'.repeat(100 * 1024) };
    }
    await publishOutboxRecords(batch, deps);
    const calls = sentEntries();
    expect(calls.map((c) => c.length)).toEqual([2, 2]);
    for (const call of calls) {
      expect(call.reduce((sum, e) => sum + Buffer.byteLength(e.Detail!) + Buffer.byteLength(e.Source!) + Buffer.byteLength(e.DetailType!), 0)).toBeLessThanOrEqual(256 * 1024);
    }
  });

  it('maps a partial failure to exactly the failed records and reports the FIRST one in stream order', async () => {
    const { events, records: batch } = records(10);
    answerFailing(new Set([events[6]!.event_id, events[3]!.event_id]), 'ThrottlingException');
    const addMetric = vi.spyOn(metrics, 'addMetric');
    const result = await publishOutboxRecords(batch, deps);
    expect(result.failed.map((f) => f.eventId)).toEqual([events[3]!.event_id, events[6]!.event_id]);
    expect(result.failed.map((f) => f.errorCode)).toEqual(['ThrottlingException', 'ThrottlingException']);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: '1003' }]);
    expect(result.published).toHaveLength(8);
    expect(addMetric).toHaveBeenCalledWith('PublishFailed', 'Count', 2);
    expect(addMetric).toHaveBeenCalledWith('EventsPublished', 'Count', 8);
  });

  it('stops after the first failed call: later chunks are left to the retry from the checkpoint', async () => {
    const { events, records: batch } = records(25);
    answerFailing(new Set([events[12]!.event_id]));
    const result = await publishOutboxRecords(batch, deps);
    expect(sentEntries()).toHaveLength(2);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: '1012' }]);
    expect(result.notAttempted).toEqual(batch.slice(20).map((r) => r.dynamodb!.SequenceNumber));
  });

  it('fails every record of a call that throws (throttling), first of them reported', async () => {
    const { records: batch } = records(15);
    eventBridgeMock
      .on(PutEventsCommand)
      .resolvesOnce({ FailedEntryCount: 0, Entries: Array.from({ length: 10 }, (_, i) => ({ EventId: `e${i}` })) })
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    const result = await publishOutboxRecords(batch, deps);
    expect(result.published).toHaveLength(10);
    expect(result.failed.map((f) => f.sequenceNumber)).toEqual(batch.slice(10).map((r) => r.dynamodb!.SequenceNumber));
    expect(result.failed.every((f) => f.errorCode === 'ThrottlingException')).toBe(true);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: '1010' }]);
  });

  it('treats a missing per-entry answer on a failed call as a failure', async () => {
    const { records: batch } = records(2);
    eventBridgeMock.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ EventId: 'ok' }] });
    const result = await publishOutboxRecords(batch, deps);
    expect(result.failed.map((f) => f.sequenceNumber)).toEqual(['1001']);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: '1001' }]);
  });

  it('skips a record that is not an outbox row instead of blocking the shard', async () => {
    answerFailing(new Set());
    const { records: batch } = records(2);
    (batch[0]!.dynamodb!.NewImage as LooseJson).item_type = { S: 'task' };
    const result = await publishOutboxRecords(batch, deps);
    expect(result.skipped).toEqual([{ sequenceNumber: '1000', reason: 'malformed' }]);
    expect(result.published).toHaveLength(1);
    expect(result.batchItemFailures).toEqual([]);
  });
});
