import type { SQSRecord } from 'aws-lambda';
import { countEvent, MetricName } from '../../observability.js';
import { failureAttributes } from '../failureAttributes.js';
import type { ConsumerRuntime, FailureKind } from './types.js';

/**
 * Sends the ORIGINAL body to the consumer's DLQ with the reason as message attributes
 * (`failure-kind`, `failure-reason`, `failed-at`, `source-queue`), so an operator can read why
 * and redrive it unchanged from the console. `parked-attempt` and the waiting attributes are not carried
 * over: a redrive starts a fresh parking budget and a fresh waiting horizon. A failing send throws: the caller reports a batch item failure,
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
    MessageAttributes: failureAttributes({ kind, reason, at: runtime.now(), sourceQueue: record.eventSourceARN || runtime.queueUrl }),
  });
  countEvent(MetricName.EventsDeadLettered);
}
