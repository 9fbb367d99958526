import type { Message, MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { ATTR_WAITING_ROUND, ATTR_WAITING_SINCE } from '../messaging/constants.js';
import type { AttributeReader, WaitingState } from './types.js';

/** The message attributes of an SQS record as Lambda delivers it. */
export const recordAttributes =
  (record: SQSRecord): AttributeReader =>
  (name) =>
    record.messageAttributes?.[name]?.stringValue;

/** The message attributes of a message received with the SDK. */
export const messageAttributes =
  (message: Message): AttributeReader =>
  (name) =>
    message.MessageAttributes?.[name]?.StringValue;

/**
 * The waiting state a message carries, or `undefined` for a message that never waited (no
 * readable `waiting-since`). A missing or unreadable round counts as 1.
 *
 * @example
 * ```ts
 * const waiting = waitingStateOf(recordAttributes(record)); // back from the waiting queue?
 * ```
 */
export function waitingStateOf(read: AttributeReader): WaitingState | undefined {
  const since = Date.parse(read(ATTR_WAITING_SINCE) ?? '');
  if (!Number.isFinite(since)) return undefined;
  const round = Number(read(ATTR_WAITING_ROUND));
  return { since: new Date(since), round: Number.isInteger(round) && round > 0 ? round : 1 };
}

/** `state` as message attributes. */
export function waitingAttributes(state: WaitingState): Record<string, MessageAttributeValue> {
  return {
    [ATTR_WAITING_SINCE]: { DataType: 'String', StringValue: state.since.toISOString() },
    [ATTR_WAITING_ROUND]: { DataType: 'Number', StringValue: String(state.round) },
  };
}
