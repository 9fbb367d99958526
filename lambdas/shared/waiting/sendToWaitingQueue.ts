import type { SendMessage } from '../messaging/lazySendMessage.js';
import { failureAttributes } from '../messaging/failureAttributes.js';
import type { WaitingState } from './types.js';
import { waitingAttributes } from './waitingState.js';

export interface WaitingEntry {
  /** The message body, unchanged. */
  readonly body: string;
  /** The state it came back with from an earlier wait; `undefined` on its first wait. */
  readonly previous?: WaitingState;
  /** `failure-kind`: why it waits (`prerequisite-missing`, `target-unavailable`). */
  readonly kind: string;
  readonly reason: string;
  /** The queue the redriver sends it back to (informational: the redriver is configured with it). */
  readonly sourceQueue?: string;
  readonly now: Date;
}

/**
 * Puts a message in a waiting queue: the same body, the reason as `failure-*` attributes (readable
 * in the console like a DLQ's), `waiting-since` (kept from an earlier wait, so the horizon counts
 * from the first) and `waiting-round` + 1. A failing send throws: the caller keeps the message.
 *
 * @example
 * ```ts
 * await sendToWaitingQueue(send, waitingQueueUrl, { body: record.body, previous: waitingStateOf(recordAttributes(record)), kind: 'prerequisite-missing', reason, now: new Date() });
 * ```
 */
export async function sendToWaitingQueue(send: SendMessage, queueUrl: string, entry: WaitingEntry): Promise<WaitingState> {
  const state: WaitingState = { since: entry.previous?.since ?? entry.now, round: (entry.previous?.round ?? 0) + 1 };
  await send({
    QueueUrl: queueUrl,
    MessageBody: entry.body,
    MessageAttributes: {
      ...failureAttributes({ kind: entry.kind, reason: entry.reason, at: entry.now, sourceQueue: entry.sourceQueue }),
      ...waitingAttributes(state),
    },
  });
  return state;
}
