import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Logger } from '@aws-lambda-powertools/logger';
import { countEvent, logger as sharedLogger, MetricName } from '../../observability.js';
import { chunkEntries } from '../chunkEntries.js';
import { OUTBOX_TTL_DAYS } from '../constants.js';
import { failureAttributes } from '../failureAttributes.js';
import { putEventsEntry, type EnvelopeLike } from '../putEventsEntry.js';
import { putChunk } from './putChunk.js';
import { queryOutboxWindow } from './queryOutboxWindow.js';
import { streamBatchWindow } from './streamBatchWindow.js';

export interface RepublisherDeps {
  sqs: SQSClient;
  doc: DynamoDBDocumentClient;
  eventBridge: EventBridgeClient;
  /** The queue to drain: the publisher's on-failure queue (or, for a retry by hand, the unresolved queue). */
  failureQueueUrl: string;
  /**
   * Where a failure message goes when its events cannot be found (with the reason as attributes),
   * so a person can act on it. Omitted: such a message is left where it is (a retry of the
   * unresolved queue itself).
   */
  unresolvedQueueUrl?: string;
  tableName: string;
  eventBusName: string;
  /** Widening of each batch's arrival window, seconds. Default 300. */
  marginSeconds?: number;
  /** Stop receiving when this returns true (e.g. little invocation time left). */
  shouldStop?: () => boolean;
  /** How long a received failure message stays hidden; it must outlast one invocation. Default 300 s. */
  visibilityTimeoutSeconds?: number;
  logger?: Logger;
  now?: () => Date;
}

export interface RepublishSummary {
  /** Failure messages fully handled and deleted. */
  messagesDone: number;
  /** Failure messages left on the queue for the next run (a re-put failed). */
  messagesLeft: number;
  /** Failure messages whose events could not all be found: moved to (or left in) the unresolved queue. */
  messagesUnresolved: number;
  /** Events put on the bus again. */
  eventsRepublished: number;
  eventsFailed: number;
}

/**
 * Why the events of a failed batch cannot be trusted to be all found, or `undefined` when they
 * can. A batch names how many records it had (`batchSize`): finding fewer outbox events than that
 * in its window means some are missing (rows expired, or a `produced_at` outside the window).
 * Finding as many or more is the best evidence the window can give (other events of the same
 * seconds are found too, and re-putting them is harmless).
 */
function unresolvedReason(found: number, batchSize: number | undefined, from: number, to: number, marginSeconds: number): string | undefined {
  const window = `${new Date(from).toISOString()}..${new Date(to).toISOString()} (±${marginSeconds} s)`;
  const hint = `outbox rows live ${OUTBOX_TTL_DAYS} days; an event produced outside the window is not found: republish by hand with a wider marginSeconds (RUNBOOK.md)`;
  if (found === 0) return `no outbox event found in ${window}; ${hint}`;
  if (batchSize !== undefined && found < batchSize) return `found ${found} outbox event(s) in ${window} for a batch of ${batchSize}; ${hint}`;
  return undefined;
}

/**
 * Drains the outbox publisher's on-failure queue. Each message describes a stream batch Lambda
 * gave up on (shard, sequence range, approximate arrival times and record count; not the records),
 * so the events are found by time in the outbox GSI (± margin) and put on the bus again.
 * Re-publishing a few events that already went through is safe: consumers are idempotent.
 *
 * A message is deleted only when its events were found and every re-put succeeded. A failed re-put
 * leaves it for the next run. A message whose events cannot all be found (or that is not a stream
 * failure record) is never dropped: the events found are re-put, and the message moves to the
 * unresolved queue with `failure-reason` (counted as `RepublishUnresolved`, alarmed), where a
 * person retries it with a wider window.
 *
 * @example
 * ```ts
 * const summary = await republishFailedBatches({ sqs, doc, eventBridge, failureQueueUrl, unresolvedQueueUrl, tableName, eventBusName });
 * ```
 */
export async function republishFailedBatches(deps: RepublisherDeps): Promise<RepublishSummary> {
  const log = deps.logger ?? sharedLogger;
  const marginSeconds = deps.marginSeconds ?? 300;
  const summary: RepublishSummary = { messagesDone: 0, messagesLeft: 0, messagesUnresolved: 0, eventsRepublished: 0, eventsFailed: 0 };
  const seen = new Set<string>();

  /** Re-puts `events`; the number that failed. */
  const republish = async (events: EnvelopeLike[]): Promise<number> => {
    let failed = 0;
    for (const chunk of chunkEntries(events, (e) => putEventsEntry(e, deps.eventBusName))) {
      const outcomes = await putChunk(deps.eventBridge, chunk.map((e) => putEventsEntry(e, deps.eventBusName)));
      outcomes.forEach((outcome, index) => {
        if (outcome.ok) return;
        failed += 1;
        log.warn('event not re-published', { event_id: chunk[index]!.event_id, errorCode: outcome.errorCode });
      });
    }
    summary.eventsRepublished += events.length - failed;
    summary.eventsFailed += failed;
    countEvent(MetricName.EventsRepublished, events.length - failed);
    countEvent(MetricName.PublishFailed, failed);
    return failed;
  };

  /** Keeps the message for a person: sent to the unresolved queue first, then deleted here (or left here when there is no such queue). */
  const keepUnresolved = async (message: Message, reason: string): Promise<void> => {
    summary.messagesUnresolved += 1;
    countEvent(MetricName.RepublishUnresolved);
    log.error('failure message not resolved; kept for a person', { messageId: message.MessageId, reason });
    if (!deps.unresolvedQueueUrl) return;
    await deps.sqs.send(
      new SendMessageCommand({
        QueueUrl: deps.unresolvedQueueUrl,
        MessageBody: message.Body ?? '',
        MessageAttributes: failureAttributes({ kind: 'unresolved', reason, at: deps.now?.() ?? new Date(), sourceQueue: deps.failureQueueUrl }),
      }),
    );
    await deps.sqs.send(new DeleteMessageCommand({ QueueUrl: deps.failureQueueUrl, ReceiptHandle: message.ReceiptHandle }));
  };

  while (!deps.shouldStop?.()) {
    const { Messages = [] } = await deps.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: deps.failureQueueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        VisibilityTimeout: deps.visibilityTimeoutSeconds ?? 300,
      }),
    );
    const fresh = Messages.filter((m) => m.MessageId && !seen.has(m.MessageId));
    if (fresh.length === 0) break;
    for (const message of fresh) {
      seen.add(message.MessageId!);
      const window = streamBatchWindow(message.Body, marginSeconds);
      if (!window) {
        await keepUnresolved(message, 'not an on-failure record of a DynamoDB stream batch (no DDBStreamBatchInfo with arrival times)');
        continue;
      }
      const events = await queryOutboxWindow(deps.doc, deps.tableName, window);
      if ((await republish(events)) > 0) {
        summary.messagesLeft += 1;
        continue;
      }
      const reason = unresolvedReason(events.length, window.info.batchSize, window.from, window.to, marginSeconds);
      if (reason) {
        await keepUnresolved(message, reason);
        continue;
      }
      await deps.sqs.send(new DeleteMessageCommand({ QueueUrl: deps.failureQueueUrl, ReceiptHandle: message.ReceiptHandle }));
      summary.messagesDone += 1;
      log.info('stream batch re-published', { messageId: message.MessageId, events: events.length, shardId: window.info.shardId, from: new Date(window.from).toISOString(), to: new Date(window.to).toISOString() });
    }
  }
  return summary;
}
