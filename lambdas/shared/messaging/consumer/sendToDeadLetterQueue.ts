import type { SQSRecord } from 'aws-lambda';
import { countEvent, MetricName } from '../../observability.js';
import {
  ATTR_FAILED_AT,
  ATTR_FAILURE_KIND,
  ATTR_FAILURE_REASON,
  ATTR_SOURCE_QUEUE,
  MAX_FAILURE_REASON_LENGTH,
} from '../constants.js';
import type { ConsumerRuntime, FailureKind } from './types.js';

const text = (value: string) => ({ DataType: 'String', StringValue: value });

/** `reason` cut to a readable length (SQS attributes count toward the 256 KB message size). */
export function truncateReason(reason: string, max = MAX_FAILURE_REASON_LENGTH): string {
  return reason.length <= max ? reason : `${reason.slice(0, max - 1)}…`;
}

/**
 * Sends the ORIGINAL body to the consumer's DLQ with the reason as message attributes
 * (`failure-kind`, `failure-reason`, `failed-at`, `source-queue`), so an operator can read why
 * and redrive it unchanged from the console. `parked-attempt` is not carried over: a redrive
 * starts a fresh parking budget. A failing send throws: the caller reports a batch item failure,
 * so the message is never lost.
 *
 * @example
 * ```ts
 * await sendToDeadLetterQueue(runtime, record, 'poison', error.message);
 * ```
 */
export async function sendToDeadLetterQueue(
  runtime: ConsumerRuntime,
  record: SQSRecord,
  kind: Exclude<FailureKind, 'transient'>,
  reason: string,
): Promise<void> {
  await runtime.sendMessage({
    QueueUrl: runtime.deadLetterQueueUrl,
    MessageBody: record.body,
    MessageAttributes: {
      [ATTR_FAILURE_KIND]: text(kind),
      [ATTR_FAILURE_REASON]: text(truncateReason(reason || '(no reason)')),
      [ATTR_FAILED_AT]: text(runtime.now().toISOString()),
      [ATTR_SOURCE_QUEUE]: text(record.eventSourceARN || runtime.queueUrl),
    },
  });
  countEvent(MetricName.EventsDeadLettered);
}
