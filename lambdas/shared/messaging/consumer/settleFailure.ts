import type { SQSRecord } from 'aws-lambda';
import type { Logger } from '@aws-lambda-powertools/logger';
import { classifyError } from './classifyError.js';
import { parkRecord } from './parkRecord.js';
import { sendToDeadLetterQueue } from './sendToDeadLetterQueue.js';
import type { ConsumerRuntime } from './types.js';

/**
 * Settles a record whose handling failed, by the class of the error (`classifyError`):
 * poison -> the DLQ with the reason; prerequisite missing -> parked; transient -> RETHROWN, so the
 * caller reports a batch item failure and SQS delivers the record again.
 *
 * @example
 * ```ts
 * try { ... } catch (error) { return settleFailure(runtime, record, error, log); }
 * ```
 */
export async function settleFailure(runtime: ConsumerRuntime, record: SQSRecord, error: unknown, log: Logger): Promise<'parked' | 'dead-lettered'> {
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
