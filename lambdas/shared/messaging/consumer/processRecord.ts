import type { SQSRecord } from 'aws-lambda';
import { WRITE_RETRY_LOG_MESSAGE } from '../../dynamodb/constants.js';
import { writeRetryReason } from '../../dynamodb/writeRetryReason.js';
import { countEvent, MetricName } from '../../observability.js';
import { parkedAttempt } from './parkedAttempt.js';
import { parseRecord, recordLogger, type ParsedRecord } from './parseRecord.js';
import { retryBudget, sleep, type RetryBudget } from './retryBudget.js';
import { settleFailure } from './settleFailure.js';
import type { ConsumerRuntime, EventHandler, RecordOutcome } from './types.js';
import { writeEffect } from './writeEffect.js';

/**
 * Handles one SQS record end to end with a PER-RECORD handler: parse -> validate -> dispatch by
 * name+version -> write the effect with the processed marker in its own transaction; failures are
 * settled by `settleFailure` (poison -> DLQ with the reason, prerequisite missing -> parked,
 * transient -> thrown). A transaction conflict or throttling runs the record again (read, decide,
 * write) in process, with jittered backoff, while the invocation's retry budget lasts: on AWS a
 * record given back to SQS waits a whole visibility timeout and spends one of its receives.
 * Batch handlers are run by `processBatch` instead.
 *
 * Resolves with what happened when the record is done (SQS may delete it); REJECTS only when
 * it must be retried (transient failure, or the DLQ/park send itself failed).
 *
 * @example
 * ```ts
 * const outcome = await processRecord(record, runtime); // 'consumed' | 'duplicate' | ...
 * ```
 */
export async function processRecord(record: SQSRecord, runtime: ConsumerRuntime, budget: RetryBudget = retryBudget(runtime.retry)): Promise<RecordOutcome> {
  return handleParsedRecord(parseRecord(record, runtime), runtime, budget);
}

/** {@link processRecord} for a record `parseRecord` has read already; `budget` is the invocation's. */
export async function handleParsedRecord(parsed: ParsedRecord, runtime: ConsumerRuntime, budget: RetryBudget = retryBudget(runtime.retry)): Promise<RecordOutcome> {
  const log = recordLogger(runtime, parsed);
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await handleOnce(parsed, runtime, log);
    } catch (error) {
      const reason = writeRetryReason(error);
      const delay = reason ? budget.nextDelay(attempt) : undefined;
      if (delay === undefined) return settleFailure(runtime, parsed.record, error, log);
      log.info(WRITE_RETRY_LOG_MESSAGE, { what: 'the effect of the event', reason, attempt, delay_ms: delay });
      countEvent(reason === 'TransactionConflict' ? MetricName.TransactionConflictsRetried : MetricName.TransactionThrottlesRetried);
      await sleep(delay);
    }
  }
}

/** One run of a record's handler and the write of its effect; throws what `settleFailure` (or a retry) decides on. */
async function handleOnce(parsed: ParsedRecord, runtime: ConsumerRuntime, log: ReturnType<typeof recordLogger>): Promise<RecordOutcome> {
  const { record } = parsed;
  if ('error' in parsed) throw parsed.error;
  if (typeof parsed.handler !== 'function') throw new TypeError(`the handler of ${parsed.event.event_name} v${parsed.event.event_version} is a batch handler: run it with processBatch`);
  // The handler of whichever name and version the event has: the map is indexed at run time.
  const handle = parsed.handler as EventHandler<never, never>;
  const effect = await handle(parsed.event as never, {
    consumer: runtime.consumer,
    tableName: runtime.tableName,
    doc: runtime.doc,
    logger: log,
    parkedAttempt: parkedAttempt(record),
    receiveCount: Number(record.attributes?.ApproximateReceiveCount ?? 1),
  });
  const outcome = effect && effect.length > 0 ? await writeEffect(runtime, parsed.event, effect) : 'no-effect';
  if (outcome === 'duplicate') {
    countEvent(MetricName.EventsDuplicate);
    log.info('duplicate event ignored: already processed');
  } else {
    countEvent(MetricName.EventsConsumed);
    if (outcome === 'stale') {
      countEvent(MetricName.EventsStale);
      log.info('stale update ignored: a newer version is stored');
    } else {
      log.debug('event consumed', { outcome });
    }
  }
  return outcome;
}
