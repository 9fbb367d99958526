import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Logger } from '@aws-lambda-powertools/logger';
import { countEvent, logger as sharedLogger, MetricName } from '../../observability.js';
import { chunkEntries } from '../chunkEntries.js';
import { putEventsEntry } from '../putEventsEntry.js';
import { putChunk } from './putChunk.js';
import { queryOutboxWindow } from './queryOutboxWindow.js';
import { streamBatchWindow } from './streamBatchWindow.js';

export interface RepublisherDeps {
  sqs: SQSClient;
  doc: DynamoDBDocumentClient;
  eventBridge: EventBridgeClient;
  failureQueueUrl: string;
  tableName: string;
  eventBusName: string;
  /** Widening of each batch's arrival window, seconds. Default 300. */
  marginSeconds?: number;
  /** Stop receiving when this returns true (e.g. little invocation time left). */
  shouldStop?: () => boolean;
  /** How long a received failure message stays hidden; it must outlast one invocation. Default 300 s. */
  visibilityTimeoutSeconds?: number;
  logger?: Logger;
}

export interface RepublishSummary {
  /** Failure messages fully handled and deleted. */
  messagesDone: number;
  /** Failure messages left on the queue (a put failed, or the body was not understood). */
  messagesLeft: number;
  /** Events put on the bus again. */
  eventsRepublished: number;
  eventsFailed: number;
}

/**
 * Drains the outbox publisher's on-failure queue. Each message describes a stream batch Lambda
 * gave up on (shard, sequence range, approximate arrival times; not the records), so the events
 * are found by time in the outbox GSI (± margin) and put on the bus again. Re-publishing a few
 * events that already went through is safe: consumers are idempotent. A message is deleted only
 * when every re-put succeeded; otherwise it stays for the next run.
 *
 * @example
 * ```ts
 * const summary = await republishFailedBatches({ sqs, doc, eventBridge, failureQueueUrl, tableName, eventBusName });
 * ```
 */
export async function republishFailedBatches(deps: RepublisherDeps): Promise<RepublishSummary> {
  const log = deps.logger ?? sharedLogger;
  const summary: RepublishSummary = { messagesDone: 0, messagesLeft: 0, eventsRepublished: 0, eventsFailed: 0 };
  const seen = new Set<string>();
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
      const window = streamBatchWindow(message.Body, deps.marginSeconds ?? 300);
      if (!window) {
        summary.messagesLeft += 1;
        log.error('failure message not understood; left on the queue', { messageId: message.MessageId });
        continue;
      }
      const events = await queryOutboxWindow(deps.doc, deps.tableName, window);
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
      if (failed > 0) {
        summary.messagesLeft += 1;
        continue;
      }
      await deps.sqs.send(new DeleteMessageCommand({ QueueUrl: deps.failureQueueUrl, ReceiptHandle: message.ReceiptHandle }));
      summary.messagesDone += 1;
      log.info('stream batch re-published', { messageId: message.MessageId, events: events.length, shardId: window.info.shardId, from: new Date(window.from).toISOString(), to: new Date(window.to).toISOString() });
    }
  }
  return summary;
}
