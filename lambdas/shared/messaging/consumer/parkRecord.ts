import type { SQSRecord } from 'aws-lambda';
import type { Logger } from '@aws-lambda-powertools/logger';
import { countEvent, MetricName } from '../../observability.js';
import { ATTR_PARKED_ATTEMPT } from '../constants.js';
import { parkedAttempt } from './parkedAttempt.js';
import { parkingDelay } from './parkingDelay.js';
import { sendToDeadLetterQueue } from './sendToDeadLetterQueue.js';
import type { ConsumerRuntime } from './types.js';

/**
 * Parks a message whose prerequisite is missing: re-sends the same body to the consumer's own
 * queue with a growing `DelaySeconds` and `parked-attempt` + 1. A re-sent message starts a fresh
 * SQS receive count, so parking does not eat into `maxReceiveCount` (which stays for transient
 * failures). After `maxAttempts` parks the message goes to the DLQ with the reason. The original
 * is deleted by reporting the record as successful; a failing send throws (batch item failure).
 *
 * @example
 * ```ts
 * const outcome = await parkRecord(runtime, record, 'manager m-1 unknown', logger);
 * ```
 */
export async function parkRecord(runtime: ConsumerRuntime, record: SQSRecord, reason: string, log: Logger): Promise<'parked' | 'dead-lettered'> {
  const previous = parkedAttempt(record);
  const attempt = previous + 1;
  if (attempt > runtime.parking.maxAttempts) {
    await sendToDeadLetterQueue(runtime, record, 'prerequisite-missing', `${reason} (gave up after ${previous} parked retries)`);
    log.error('prerequisite still missing after the parking budget; sent to the DLQ', { reason, parkedAttempts: previous });
    return 'dead-lettered';
  }
  const delaySeconds = parkingDelay(attempt, runtime.parking);
  await runtime.sendMessage({
    QueueUrl: runtime.queueUrl,
    MessageBody: record.body,
    DelaySeconds: delaySeconds,
    MessageAttributes: { [ATTR_PARKED_ATTEMPT]: { DataType: 'Number', StringValue: String(attempt) } },
  });
  countEvent(MetricName.EventsParked);
  log.info('prerequisite missing; message parked', { reason, parkedAttempt: attempt, delaySeconds });
  return 'parked';
}
