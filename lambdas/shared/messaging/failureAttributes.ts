import type { MessageAttributeValue } from '@aws-sdk/client-sqs';
import { ATTR_FAILED_AT, ATTR_FAILURE_KIND, ATTR_FAILURE_REASON, ATTR_SOURCE_QUEUE, MAX_FAILURE_REASON_LENGTH } from './constants.js';

/** A `String` SQS message attribute. */
export const textAttribute = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: value });

/** `reason` cut to a readable length (SQS attributes count toward the 256 KB message size). */
export function truncateReason(reason: string, max = MAX_FAILURE_REASON_LENGTH): string {
  return reason.length <= max ? reason : `${reason.slice(0, max - 1)}…`;
}

/** Why a message left its queue, as the attributes an operator reads in the console. */
export interface FailureDescription {
  /** e.g. `poison`, `prerequisite-missing`, `target-unavailable`, `rejected`. */
  readonly kind: string;
  readonly reason: string;
  readonly at: Date;
  /** The queue the message belongs to (where a redrive sends it). Omitted when unknown. */
  readonly sourceQueue?: string;
}

/**
 * The message attributes every DLQ and waiting queue of the app carries: `failure-kind`,
 * `failure-reason`, `failed-at` and, when known, `source-queue`. One shape for the consumer
 * runtime, the deferred-call deliverer and the waiting-queue redriver, so `npm run dlq -- show`
 * and the console read them the same way.
 *
 * @example
 * ```ts
 * await send({ QueueUrl: dlq, MessageBody: body, MessageAttributes: failureAttributes({ kind: 'poison', reason, at: new Date() }) });
 * ```
 */
export function failureAttributes(failure: FailureDescription): Record<string, MessageAttributeValue> {
  return {
    [ATTR_FAILURE_KIND]: textAttribute(failure.kind),
    [ATTR_FAILURE_REASON]: textAttribute(truncateReason(failure.reason || '(no reason)')),
    [ATTR_FAILED_AT]: textAttribute(failure.at.toISOString()),
    ...(failure.sourceQueue ? { [ATTR_SOURCE_QUEUE]: textAttribute(failure.sourceQueue) } : {}),
  };
}
