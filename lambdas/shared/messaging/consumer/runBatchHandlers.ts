import { countEvent, MetricName } from '../../observability.js';
import type { AnyEvent } from '../../registry/index.js';
import { PoisonError, PrerequisiteMissingError } from '../errors.js';
import { isEffect, isPrerequisiteMissing } from './batchHandlers.js';
import { classifyError } from './classifyError.js';
import { parkedAttempt } from './parkedAttempt.js';
import type { ParsedRecord } from './parseRecord.js';
import { recordLogger } from './parseRecord.js';
import type { PendingWrite } from './planTransactions.js';
import { processedMarker, processedMarkerKey } from './processedMarker.js';
import { readBatch, UnprocessedKeysError } from './readBatch.js';
import { sleep, type RetryBudget } from './retryBudget.js';
import { settleFailure } from './settleFailure.js';
import { keyId, transactItemId } from './tableKey.js';
import type { BatchEventHandler, ConsumerRuntime, ReadItems, TableKey } from './types.js';
import type { TransactWriteItem } from '../types.js';

/** The condition that makes an item a processed marker: it must not exist yet. */
const MARKER_CONDITION = 'attribute_not_exists(pk)';
import { RETRY_LOG, writeBatch } from './writeBatch.js';

/** A record whose event has a batch handler. */
export type BatchRecord = Extract<ParsedRecord, { event: AnyEvent }> & { handler: BatchEventHandler<never, never> };

/**
 * Runs the batch handlers of an SQS batch's records:
 * 1. a record repeating an event id seen earlier in the batch is a duplicate at no cost;
 * 2. `prepare` (if any) per record, concurrently;
 * 3. ONE strongly consistent `BatchGetItem` (100 keys a call) of every record's `reads` plus its
 *    processed marker (or its `markedBy` item): a record whose marker exists is a duplicate at the
 *    cost of that read;
 * 4. `decide` per record: an effect, or parked / dead-lettered per record (`settleFailure`);
 * 5. ONE `TransactWriteItems` (split only at DynamoDB's limits) with every marker, every write and
 *    one `ADD` per counter item (`writeBatch`: duplicates drop out, conflicts retried in process).
 *
 * Resolves with the message ids to report as batch item failures.
 *
 * @example
 * ```ts
 * const failed = await runBatchHandlers(records, runtime, retryBudget(runtime.retry, context));
 * ```
 */
export async function runBatchHandlers(records: readonly BatchRecord[], runtime: ConsumerRuntime, budget: RetryBudget): Promise<string[]> {
  const failed: string[] = [];
  const settlements: Promise<void>[] = [];
  const counts = { consumed: 0, duplicate: 0, stale: 0 };
  const settle = (entry: BatchRecord, error: unknown) =>
    settlements.push(
      settleFailure(runtime, entry.record, error, recordLogger(runtime, entry)).then(
        () => undefined,
        () => void failed.push(entry.record.messageId),
      ),
    );

  const seen = new Set<string>();
  const unique = records.filter((entry) => {
    if (!seen.has(entry.event.event_id)) return seen.add(entry.event.event_id);
    counts.duplicate += 1;
    return false;
  });

  const prepared = (
    await Promise.all(
      unique.map(async (entry) => {
        if (!entry.handler.prepare) return entry;
        try {
          await entry.handler.prepare(entry.event as never, {
            consumer: runtime.consumer,
            tableName: runtime.tableName,
            doc: runtime.doc,
            logger: recordLogger(runtime, entry),
            parkedAttempt: parkedAttempt(entry.record),
            receiveCount: Number(entry.record.attributes?.ApproximateReceiveCount ?? 1),
          });
          return entry;
        } catch (error) {
          settle(entry, error);
          return undefined;
        }
      }),
    )
  ).filter((entry): entry is BatchRecord => entry !== undefined);

  const markerKey = (entry: BatchRecord) => entry.handler.markedBy?.(entry.event as never) ?? processedMarkerKey(runtime.consumer, entry.event.event_id);
  const withKeys: { entry: BatchRecord; keys: TableKey[] }[] = [];
  for (const entry of prepared) {
    try {
      withKeys.push({ entry, keys: [markerKey(entry), ...entry.handler.reads(entry.event as never)] });
    } catch (error) {
      settle(entry, error);
    }
  }

  const read = await readGroups(withKeys, runtime, budget, settle);

  const now = runtime.now();
  const pending: PendingWrite[] = [];
  const byId = new Map<number, BatchRecord>();
  for (const [index, { entry, items }] of read.entries()) {
    if (items.get(markerKey(entry))) {
      counts.duplicate += 1;
      continue;
    }
    try {
      const decision = entry.handler.decide(entry.event as never, items, { consumer: runtime.consumer, tableName: runtime.tableName, now });
      if (isPrerequisiteMissing(decision)) settle(entry, new PrerequisiteMissingError(decision.prerequisiteMissing));
      else if (!isEffect(decision)) settle(entry, new PoisonError(decision.poison));
      else {
        const writes = decision.writes ?? [];
        const increments = (decision.increments ?? []).filter((i) => Object.keys(i.add).length + Object.keys(i.set ?? {}).length > 0);
        if (writes.length + increments.length === 0) counts.consumed += 1; // nothing to write: no marker either
        else {
          pending.push({ id: index, ...markedWrites(entry, writes, runtime.tableName, () => processedMarker(runtime.tableName, runtime.consumer, entry.event, now)), increments });
          byId.set(index, entry);
        }
      }
    } catch (error) {
      settle(entry, error);
    }
  }

  const outcomes = await writeBatch({ runtime, pending, budget, eventIdOf: (member) => byId.get(member.id)!.event.event_id });
  for (const [id, outcome] of outcomes) {
    const entry = byId.get(id)!;
    if (outcome === 'consumed') counts.consumed += 1;
    else if (outcome === 'stale') {
      counts.consumed += 1;
      counts.stale += 1;
    } else if (outcome === 'duplicate') counts.duplicate += 1;
    else settle(entry, 'poison' in outcome ? outcome.poison : outcome.transient);
  }
  await Promise.all(settlements);

  countEvent(MetricName.EventsConsumed, counts.consumed);
  countEvent(MetricName.EventsDuplicate, counts.duplicate);
  countEvent(MetricName.EventsStale, counts.stale);
  runtime.logger.debug('batch handled', { records: records.length, ...counts, written: pending.length, failed: failed.length });
  return failed;
}

/**
 * The record's marker and other writes: the Put of the handler's `markedBy` key when the effect
 * has it with no condition other than `attribute_not_exists(pk)` (then it IS the marker), else
 * the ordinary processed marker.
 */
function markedWrites(entry: BatchRecord, writes: TransactWriteItem[], tableName: string, ordinaryMarker: () => TransactWriteItem) {
  const key = entry.handler.markedBy?.(entry.event as never);
  const index = key
    ? writes.findIndex((w) => w.Put && transactItemId(w) === keyId(tableName, key) && (w.Put.ConditionExpression ?? MARKER_CONDITION) === MARKER_CONDITION)
    : -1;
  if (index < 0) return { marker: ordinaryMarker(), writes };
  const marker = writes[index]!;
  return { marker: { Put: { ...marker.Put!, ConditionExpression: MARKER_CONDITION } }, writes: writes.filter((_, i) => i !== index) };
}

/**
 * Reads the keys of every record in one `readBatch`; a request DynamoDB refuses as invalid is
 * read again per record so that only the record at fault is settled (poison); throttling and
 * other transient errors are retried while the budget lasts, then settle every record (SQS retries).
 */
async function readGroups(
  groups: { entry: BatchRecord; keys: TableKey[] }[],
  runtime: ConsumerRuntime,
  budget: RetryBudget,
  settle: (entry: BatchRecord, error: unknown) => void,
): Promise<{ entry: BatchRecord; items: ReadItems }[]> {
  if (groups.length === 0) return [];
  const keys = groups.flatMap((group) => group.keys);
  try {
    const items = await readWithRetries(keys, runtime, budget);
    return groups.map(({ entry }) => ({ entry, items }));
  } catch (error) {
    if (groups.length > 1 && classifyError(error) === 'poison') {
      return (await Promise.all(groups.map((group) => readGroups([group], runtime, budget, settle)))).flat();
    }
    for (const { entry } of groups) settle(entry, error);
    return [];
  }
}

async function readWithRetries(keys: TableKey[], runtime: ConsumerRuntime, budget: RetryBudget): Promise<ReadItems> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await readBatch({
        doc: runtime.doc,
        tableName: runtime.tableName,
        keys,
        budget,
        onUnprocessed: (count, round) => {
          runtime.logger.info(RETRY_LOG.retrying, { retry_reason: 'UnprocessedKeys', attempt: round, unprocessed_keys: count });
          countEvent(MetricName.TransactionThrottlesRetried);
        },
      });
    } catch (error) {
      if (error instanceof UnprocessedKeysError || classifyError(error) !== 'transient') throw error;
      const delay = budget.nextDelay(attempt);
      if (delay === undefined) throw error;
      runtime.logger.info(RETRY_LOG.retrying, { retry_reason: 'BatchGetItem', attempt, delay_ms: delay, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
      countEvent(MetricName.TransactionThrottlesRetried);
      await sleep(delay);
    }
  }
}
