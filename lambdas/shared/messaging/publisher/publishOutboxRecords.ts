import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { DynamoDBRecord } from 'aws-lambda';
import { countEvent, logger as sharedLogger, MetricName } from '../../observability.js';
import { chunkEntries } from '../chunkEntries.js';
import { MAX_PUT_EVENTS_BYTES } from '../constants.js';
import { putEventsEntry } from '../putEventsEntry.js';
import { putEventsEntrySize } from '../putEventsEntrySize.js';
import { outboxEnvelope } from './outboxEnvelope.js';
import { putChunk } from './putChunk.js';
import type { PublishResult, PublisherDeps } from './types.js';

interface Pending {
  sequenceNumber: string;
  eventId: string;
  entry: PutEventsRequestEntry;
}

/**
 * Puts the events of a batch of outbox stream records on the bus, in stream order, in PutEvents
 * calls of at most 10 entries / 256 KB.
 *
 * Failure semantics (stream sources checkpoint by sequence number):
 * - entries EventBridge refuses, or every entry of a call that throws, are `failed`;
 * - after the first call with a failure no further call is made (the retry from the checkpoint
 *   re-sends those records; sending them now would only add duplicates and reorder);
 * - `batchItemFailures` holds the sequence number of the FIRST failed record in stream order, so
 *   Lambda retries from there (records after it that did get through are re-published:
 *   consumers are idempotent).
 * - a record that can never be published (not an outbox row, malformed, > 256 KB) is skipped
 *   with an error log: retrying cannot fix it and would block the shard. The outbox row stays in
 *   the table (30-day TTL) for inspection.
 *
 * @example
 * ```ts
 * const result = await publishOutboxRecords(event.Records, { eventBridge, eventBusName: 'hiring-events' });
 * return { batchItemFailures: result.batchItemFailures };
 * ```
 */
export async function publishOutboxRecords(records: DynamoDBRecord[], deps: PublisherDeps): Promise<PublishResult> {
  const log = deps.logger ?? sharedLogger;
  const result: PublishResult = { published: [], failed: [], notAttempted: [], skipped: [], batchItemFailures: [] };

  const pending: Pending[] = [];
  for (const record of records) {
    const sequenceNumber = record.dynamodb?.SequenceNumber;
    const envelope = record.eventName === 'INSERT' ? outboxEnvelope(record.dynamodb?.NewImage) : undefined;
    if (!sequenceNumber || !envelope) {
      const reason = record.eventName === 'INSERT' ? 'malformed' : 'not-an-outbox-insert';
      result.skipped.push({ sequenceNumber, reason });
      log.error('outbox record skipped: it cannot be published', { sequenceNumber, reason });
      continue;
    }
    const entry = putEventsEntry(envelope, deps.eventBusName);
    const size = putEventsEntrySize(entry);
    if (size > MAX_PUT_EVENTS_BYTES) {
      result.skipped.push({ sequenceNumber, reason: 'too-large', detail: `${size} bytes` });
      log.error('outbox record skipped: event above the PutEvents size limit', { sequenceNumber, event_id: envelope.event_id, size });
      continue;
    }
    pending.push({ sequenceNumber, eventId: envelope.event_id, entry });
  }
  countEvent(MetricName.PublishFailed, result.skipped.filter((s) => s.reason !== 'not-an-outbox-insert').length);

  for (const chunk of chunkEntries(pending, (p) => p.entry)) {
    if (result.failed.length > 0) {
      result.notAttempted.push(...chunk.map((p) => p.sequenceNumber));
      continue;
    }
    const outcomes = await putChunk(deps.eventBridge, chunk.map((p) => p.entry));
    chunk.forEach((p, index) => {
      const outcome = outcomes[index]!;
      if (outcome.ok) {
        result.published.push(p.eventId);
      } else {
        result.failed.push({ sequenceNumber: p.sequenceNumber, eventId: p.eventId, errorCode: outcome.errorCode, errorMessage: outcome.errorMessage });
        log.warn('event not published', { event_id: p.eventId, sequenceNumber: p.sequenceNumber, errorCode: outcome.errorCode, errorMessage: outcome.errorMessage });
      }
    });
  }

  countEvent(MetricName.EventsPublished, result.published.length);
  countEvent(MetricName.PublishFailed, result.failed.length);
  const first = result.failed[0];
  if (first) result.batchItemFailures.push({ itemIdentifier: first.sequenceNumber });
  log.info('outbox batch published', {
    records: records.length,
    published: result.published.length,
    failed: result.failed.length,
    notAttempted: result.notAttempted.length,
    skipped: result.skipped.length,
  });
  return result;
}
