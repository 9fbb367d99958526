import type { SQSRecord } from 'aws-lambda';
import { countEvent, MetricName } from '../../observability.js';
import { parkedAttempt } from './parkedAttempt.js';
import { parseRecord, recordLogger, type ParsedRecord } from './parseRecord.js';
import { settleFailure } from './settleFailure.js';
import type { ConsumerRuntime, EventHandler, RecordOutcome } from './types.js';
import { writeEffect } from './writeEffect.js';

/**
 * Handles one SQS record end to end with a PER-RECORD handler: parse -> validate -> dispatch by
 * name+version -> write the effect with the processed marker in its own transaction; failures are
 * settled by `settleFailure` (poison -> DLQ with the reason, prerequisite missing -> parked,
 * transient -> thrown). Batch handlers are run by `processBatch` instead.
 *
 * Resolves with what happened when the record is done (SQS may delete it); REJECTS only when
 * it must be retried (transient failure, or the DLQ/park send itself failed).
 *
 * @example
 * ```ts
 * const outcome = await processRecord(record, runtime); // 'consumed' | 'duplicate' | ...
 * ```
 */
export async function processRecord(record: SQSRecord, runtime: ConsumerRuntime): Promise<RecordOutcome> {
  return handleParsedRecord(parseRecord(record, runtime), runtime);
}

/** {@link processRecord} for a record `parseRecord` has read already. */
export async function handleParsedRecord(parsed: ParsedRecord, runtime: ConsumerRuntime): Promise<RecordOutcome> {
  const { record } = parsed;
  const log = recordLogger(runtime, parsed);
  try {
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
  } catch (error) {
    return settleFailure(runtime, record, error, log);
  }
}
