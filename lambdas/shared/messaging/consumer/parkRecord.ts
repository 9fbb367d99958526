import type { SQSRecord } from 'aws-lambda';
import type { Logger } from '@aws-lambda-powertools/logger';
import { countEvent, MetricName } from '../../observability.js';
// The modules, not the waiting kit's index: its redriver loads the SQS client, which a consumer
// loads only on its first send (see lazySendMessage).
import { sendToWaitingQueue } from '../../waiting/sendToWaitingQueue.js';
import { recordAttributes, waitingStateOf } from '../../waiting/waitingState.js';
import { ATTR_PARKED_ATTEMPT } from '../constants.js';
import { parkedAttempt } from './parkedAttempt.js';
import { parkingDelay } from './parkingDelay.js';
import { sendToDeadLetterQueue } from './sendToDeadLetterQueue.js';
import type { ConsumerRuntime } from './types.js';

/**
 * Parks a message whose prerequisite is missing: re-sends the same body to the consumer's own
 * queue with a growing `DelaySeconds` and `parked-attempt` + 1. A re-sent message starts a fresh
 * SQS receive count, so parking does not eat into `maxReceiveCount` (which stays for transient
 * failures).
 *
 * After `maxAttempts` parks (or at once for a message the redriver brought back from the waiting
 * queue: it carries `waiting-since`) the message goes to the consumer's WAITING queue (env
 * `WAITING_QUEUE_URL`, set by the `EventConsumer` construct) with the reason; its scheduled
 * redriver sends it back on a growing schedule and to the DLQ only after the horizon. A consumer
 * without a waiting queue (the variable unset) sends it to the DLQ as `prerequisite-missing`.
 *
 * The original is deleted by reporting the record as successful; a failing send throws (batch
 * item failure), so the message is never lost.
 *
 * @example
 * ```ts
 * const outcome = await parkRecord(runtime, record, 'manager m-1 unknown', logger);
 * ```
 */
export async function parkRecord(runtime: ConsumerRuntime, record: SQSRecord, reason: string, log: Logger): Promise<'parked' | 'dead-lettered'> {
  const waiting = waitingStateOf(recordAttributes(record));
  const previous = parkedAttempt(record);
  const attempt = previous + 1;
  if (waiting || attempt > runtime.parking.maxAttempts) {
    const waitingQueueUrl = process.env.WAITING_QUEUE_URL;
    if (!waitingQueueUrl) {
      await sendToDeadLetterQueue(runtime, record, 'prerequisite-missing', `${reason} (gave up after ${previous} parked retries)`);
      log.error('prerequisite still missing after the parking budget; sent to the DLQ (no waiting queue)', { reason, parkedAttempts: previous });
      return 'dead-lettered';
    }
    const state = await sendToWaitingQueue(runtime.sendMessage, waitingQueueUrl, {
      body: record.body,
      previous: waiting,
      kind: 'prerequisite-missing',
      reason: waiting ? reason : `${reason} (after ${previous} parked retries)`,
      sourceQueue: record.eventSourceARN || runtime.queueUrl,
      now: runtime.now(),
    });
    countEvent(MetricName.EventsWaiting);
    log.warn('prerequisite still missing; sent to the waiting queue', { reason, waitingSince: state.since.toISOString(), waitingRound: state.round });
    return 'parked';
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
