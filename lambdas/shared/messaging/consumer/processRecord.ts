import type { SQSRecord } from 'aws-lambda';
import type { Logger } from '@aws-lambda-powertools/logger';
import { validateEvent, type AnyEvent } from '../../registry/index.js';
import { countEvent, MetricName } from '../../observability.js';
import { UnsupportedEventError } from '../errors.js';
import { classifyError } from './classifyError.js';
import { parkedAttempt } from './parkedAttempt.js';
import { parkRecord } from './parkRecord.js';
import { parseRecordBody } from './parseRecordBody.js';
import { sendToDeadLetterQueue } from './sendToDeadLetterQueue.js';
import type { ConsumerContext, ConsumerRuntime, Effect, RecordOutcome } from './types.js';
import { writeEffect } from './writeEffect.js';

type AnyHandler = (event: AnyEvent, ctx: ConsumerContext) => Promise<Effect>;

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** Log keys read from a not-yet-validated envelope, so even a poison message is traceable. */
function logKeys(detail: unknown) {
  const d = (detail ?? {}) as Record<string, unknown>;
  return {
    event_id: str(d.event_id),
    event_name: str(d.event_name),
    event_version: str(d.event_version),
    correlation_id: str(d.correlation_id),
  };
}

/**
 * Handles one SQS record end to end: parse -> validate -> dispatch by name+version -> write the
 * effect with the processed marker; failures are classified (see `classifyError`):
 * poison -> DLQ with the reason, prerequisite missing -> parked, transient -> thrown.
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
  let log: Logger = runtime.logger.createChild({ persistentKeys: { messageId: record.messageId } });
  try {
    const detail = parseRecordBody(record);
    const keys = logKeys(detail);
    log = runtime.logger.createChild({
      persistentKeys: Object.fromEntries(Object.entries({ messageId: record.messageId, ...keys }).filter(([, v]) => v !== undefined)),
    });
    const event = validateEvent(detail);
    const byVersion = (runtime.handlers as Record<string, Record<string, AnyHandler | undefined> | undefined>)[event.event_name];
    const handle = byVersion?.[event.event_version];
    if (!handle) throw new UnsupportedEventError(event.event_name, event.event_version, runtime.consumer);

    const effect = await handle(event, {
      consumer: runtime.consumer,
      tableName: runtime.tableName,
      doc: runtime.doc,
      logger: log,
      parkedAttempt: parkedAttempt(record),
      receiveCount: Number(record.attributes?.ApproximateReceiveCount ?? 1),
    });
    const outcome = effect && effect.length > 0 ? await writeEffect(runtime, event, effect) : 'no-effect';
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
    const kind = classifyError(error);
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    if (kind === 'transient') {
      log.warn('transient failure; SQS will retry', { error: reason });
      throw error;
    }
    if (kind === 'prerequisite-missing') return parkRecord(runtime, record, reason, log);
    log.error('poison message; sent to the DLQ', { error: reason });
    await sendToDeadLetterQueue(runtime, record, 'poison', reason);
    return 'dead-lettered';
  }
}
