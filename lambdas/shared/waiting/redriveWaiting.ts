import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Logger } from '@aws-lambda-powertools/logger';
import { ATTR_FAILURE_REASON, ATTR_SOURCE_QUEUE } from '../messaging/constants.js';
import { failureAttributes } from '../messaging/failureAttributes.js';
import type { WaitingSchedule, WaitingState } from './types.js';
import { waitingDecision } from './waitingDecision.js';
import { messageAttributes, waitingAttributes, waitingStateOf } from './waitingState.js';

export interface RedriveWaitingOptions {
  readonly sqs: Pick<SQSClient, 'send'>;
  readonly waitingQueueUrl: string;
  /** Where a due message goes back to (the consumer's or the deferred calls' queue). */
  readonly targetQueueUrl: string;
  /** Where a message past the horizon goes. */
  readonly deadLetterQueueUrl: string;
  /** `failure-kind` of an expired message in the DLQ (`prerequisite-missing`, `target-unavailable`). */
  readonly expiredKind: string;
  readonly schedule: WaitingSchedule;
  readonly logger: Logger;
  readonly now?: () => Date;
  /** Asked before each receive; `false` ends the run (e.g. the Lambda's time is nearly up). */
  readonly keepGoing?: () => boolean;
}

/** What one run did. `failed` messages stay in the waiting queue and are looked at again next run. */
export interface RedriveSummary {
  redriven: number;
  expired: number;
  held: number;
  failed: number;
}

/** How long a received message stays hidden while the run decides; a crash mid-run shows it again after this. */
const RECEIVE_VISIBILITY_SECONDS = 60;

/** `14 d`, `6 h`, `10 min`, `45 s`: the horizon as an operator reads it in a failure reason. */
function humanDuration(seconds: number): string {
  for (const [unit, size] of [['d', 86_400], ['h', 3_600], ['min', 60]] as const) {
    if (seconds >= size) return `${Math.round((seconds / size) * 10) / 10} ${unit}`;
  }
  return `${seconds} s`;
}

/**
 * One pass of the waiting-queue redriver: receives every visible message and, per message (see
 * `waitingDecision`), sends it back to its queue when due (with `waiting-since` / `waiting-round`,
 * so its consumer sends it straight back here if it is still not ready), sends it to the DLQ with
 * the last reason once the horizon has passed, or hides it until due. A message is deleted from
 * the waiting queue only after its send succeeded (at-least-once: a crash in between redrives it
 * twice, which the idempotent consumers absorb).
 *
 * @example
 * ```ts
 * const summary = await redriveWaiting({ sqs, waitingQueueUrl, targetQueueUrl, deadLetterQueueUrl, expiredKind: 'prerequisite-missing', schedule, logger });
 * ```
 */
export async function redriveWaiting(options: RedriveWaitingOptions): Promise<RedriveSummary> {
  const now = options.now ?? (() => new Date());
  const summary: RedriveSummary = { redriven: 0, expired: 0, held: 0, failed: 0 };
  while (options.keepGoing?.() ?? true) {
    const { Messages = [] } = await options.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: options.waitingQueueUrl,
        MaxNumberOfMessages: 10,
        // Long polling asks every SQS server, so an empty answer means the visible messages are done.
        WaitTimeSeconds: 1,
        VisibilityTimeout: RECEIVE_VISIBILITY_SECONDS,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['SentTimestamp'],
      }),
    );
    if (Messages.length === 0) break;
    const outcomes = await Promise.allSettled(Messages.map((message) => handleMessage(message, options, now())));
    outcomes.forEach((outcome, index) => {
      if (outcome.status === 'fulfilled') summary[outcome.value] += 1;
      else {
        summary.failed += 1;
        options.logger.error('waiting message not handled; it stays in the waiting queue for the next run', {
          messageId: Messages[index]!.MessageId,
          error: String(outcome.reason),
        });
      }
    });
  }
  return summary;
}

async function handleMessage(message: Message, options: RedriveWaitingOptions, now: Date): Promise<'redriven' | 'expired' | 'held'> {
  const read = messageAttributes(message);
  const sentAt = new Date(Number(message.Attributes?.SentTimestamp ?? now.getTime()));
  // A message put here by hand, without our attributes, waits from when it arrived.
  const state: WaitingState = waitingStateOf(read) ?? { since: sentAt, round: 1 };
  const decision = waitingDecision(now, state, sentAt, options.schedule);
  const log = options.logger.createChild({ persistentKeys: { messageId: message.MessageId, waitingSince: state.since.toISOString(), waitingRound: state.round } });

  if (decision.action === 'hold') {
    await options.sqs.send(
      new ChangeMessageVisibilityCommand({ QueueUrl: options.waitingQueueUrl, ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: decision.seconds }),
    );
    return 'held';
  }
  if (decision.action === 'redrive') {
    await options.sqs.send(
      new SendMessageCommand({ QueueUrl: options.targetQueueUrl, MessageBody: message.Body, MessageAttributes: waitingAttributes(state) }),
    );
    await deleteMessage(message, options);
    log.info('waiting message redriven to its queue');
    return 'redriven';
  }
  const reason = `${read(ATTR_FAILURE_REASON) ?? '(no reason)'} (still failing after waiting since ${state.since.toISOString()}, ${state.round} round(s), past the ${humanDuration(options.schedule.horizonSeconds)} horizon)`;
  await options.sqs.send(
    new SendMessageCommand({
      QueueUrl: options.deadLetterQueueUrl,
      MessageBody: message.Body,
      // No waiting attributes: a redrive from the DLQ starts a fresh budget and horizon.
      MessageAttributes: failureAttributes({ kind: options.expiredKind, reason, at: now, sourceQueue: read(ATTR_SOURCE_QUEUE) ?? options.targetQueueUrl }),
    }),
  );
  await deleteMessage(message, options);
  log.error('waiting message expired past the redrive horizon; sent to the DLQ', { reason });
  return 'expired';
}

async function deleteMessage(message: Message, options: RedriveWaitingOptions): Promise<void> {
  await options.sqs.send(new DeleteMessageCommand({ QueueUrl: options.waitingQueueUrl, ReceiptHandle: message.ReceiptHandle }));
}
