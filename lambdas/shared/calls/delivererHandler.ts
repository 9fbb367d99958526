import { getNumberFromEnv, getStringFromEnv } from '@aws-lambda-powertools/commons/utils/env';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { ServiceCallRejectedError } from '../http/index.js';
import { ATTR_FAILURE_KIND, ATTR_FAILURE_REASON } from '../messaging/constants.js';
import { failureAttributes } from '../messaging/failureAttributes.js';
import { lazySendMessage } from '../messaging/lazySendMessage.js';
import { optionalStringFromEnv } from '../env.js';
import { countEvent, logger, MetricName, metrics } from '../observability.js';
import { scheduleFromEnv } from '../waiting/scheduleFromEnv.js';
import { sendToWaitingQueue } from '../waiting/sendToWaitingQueue.js';
import { recordAttributes, waitingStateOf } from '../waiting/waitingState.js';
import { baseUrlsFromEnv } from './baseUrlsFromEnv.js';
import { DEFAULT_ATTEMPTS_BEFORE_WAITING, pendingCallHoldSeconds } from './constants.js';
import { deliverCall } from './deliverCall.js';
import { holdPendingCall } from './holdPendingCall.js';
import type { DeferredCallMessage, PendingCallRecord } from './types.js';

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));
// Only a call that waits or is rejected is sent on: the SQS client is loaded then.
const sendMessage = lazySendMessage();

interface DelivererConfig {
  readonly tableName: string;
  readonly baseUrls: ReturnType<typeof baseUrlsFromEnv>;
  /** Unset: no waiting queue, a failing call is left to SQS's retries and redrive policy. */
  readonly waitingQueueUrl?: string;
  readonly attemptsBeforeWaiting: number;
  readonly horizonSeconds: number;
}

function configFromEnv(): DelivererConfig {
  return {
    tableName: getStringFromEnv({ key: 'TABLE_NAME' }),
    baseUrls: baseUrlsFromEnv(),
    waitingQueueUrl: optionalStringFromEnv('WAITING_QUEUE_URL'),
    attemptsBeforeWaiting: getNumberFromEnv({ key: 'ATTEMPTS_BEFORE_WAITING', defaultValue: DEFAULT_ATTEMPTS_BEFORE_WAITING }),
    horizonSeconds: scheduleFromEnv().horizonSeconds,
  };
}

/**
 * Deferred-calls queue -> the target service. A row already delivered (the synchronous attempt
 * won) is skipped. While the target is down (5xx, timeouts, network) the record fails and SQS
 * retries it every visibility timeout; after `ATTEMPTS_BEFORE_WAITING` receives (or at once for a
 * message the redriver brought back) the call moves to the calls' waiting queue, whose redriver
 * retries it on a growing schedule for the horizon (default 14 days) before the DLQ. A 4xx answer
 * cannot be fixed by retrying: the message goes to the DLQ at once with the reason. Before a
 * message moves to the waiting queue or the DLQ its row is held for as long as the message can
 * live there (`holdPendingCall`).
 *
 * A message whose row is missing (expired, or never written) cannot be delivered: it is logged as
 * an error with the call's identity and counted (`PendingCallMissing`, alarmed), never dropped
 * silently.
 */
export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  const config = configFromEnv();
  try {
    const results = await Promise.allSettled(event.Records.map((record) => deliverRecord(record, config)));
    return {
      batchItemFailures: results.flatMap((result, index) =>
        result.status === 'rejected' ? [{ itemIdentifier: event.Records[index]!.messageId }] : [],
      ),
    };
  } finally {
    metrics.publishStoredMetrics();
  }
}

async function deliverRecord(record: SQSRecord, config: DelivererConfig): Promise<void> {
  const { pk } = JSON.parse(record.body) as DeferredCallMessage;
  const read = recordAttributes(record);
  const waiting = waitingStateOf(read);
  const receiveCount = Number(record.attributes?.ApproximateReceiveCount ?? 1);
  const { Item } = await doc.send(new GetCommand({ TableName: config.tableName, Key: { pk, sk: 'CALL' }, ConsistentRead: true }));
  const call = Item as PendingCallRecord | undefined;
  if (!call) {
    countEvent(MetricName.PendingCallMissing);
    logger.error('deferred call has no pending-call row (expired or never written): it cannot be delivered', {
      pk,
      call_id: pk.replace(/^CALL#/, ''),
      messageId: record.messageId,
      receiveCount,
      sentAt: record.attributes?.SentTimestamp ? new Date(Number(record.attributes.SentTimestamp)).toISOString() : undefined,
      waitingSince: waiting?.since.toISOString(),
      failureKind: read(ATTR_FAILURE_KIND),
      failureReason: read(ATTR_FAILURE_REASON),
    });
    return;
  }
  if (call.status === 'delivered') return;
  const identity = { call_id: call.call_id, target: call.target, method: call.method, path: call.path };
  try {
    await deliverCall(call, { doc, tableName: config.tableName, baseUrls: config.baseUrls, retry: { maxAttempts: 3 } });
    logger.info('deferred call delivered', { ...identity, waitingRound: waiting?.round });
  } catch (error) {
    const now = new Date();
    const holdUntil = new Date(now.getTime() + pendingCallHoldSeconds(config.horizonSeconds) * 1000);
    if (error instanceof ServiceCallRejectedError) {
      const reason = `${error.status}: ${JSON.stringify(error.body)}`;
      logger.error('deferred call rejected by target; sent to the DLQ', { ...identity, status: error.status, body: error.body });
      // The DLQ message gets a fresh 14-day retention: the row must outlive it (and a redrive).
      await holdPendingCall(doc, config.tableName, call.call_id, holdUntil);
      await sendMessage({
        QueueUrl: getStringFromEnv({ key: 'DEAD_LETTER_QUEUE_URL' }),
        MessageBody: record.body,
        MessageAttributes: failureAttributes({ kind: 'rejected', reason, at: now, sourceQueue: record.eventSourceARN }),
      });
      return;
    }
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    if (config.waitingQueueUrl && (waiting || receiveCount >= config.attemptsBeforeWaiting)) {
      await holdPendingCall(doc, config.tableName, call.call_id, holdUntil);
      const state = await sendToWaitingQueue(sendMessage, config.waitingQueueUrl, {
        body: record.body,
        previous: waiting,
        kind: 'target-unavailable',
        reason: waiting ? reason : `${reason} (after ${receiveCount} deferred attempts)`,
        sourceQueue: record.eventSourceARN,
        now,
      });
      countEvent(MetricName.CallsWaiting);
      logger.warn('deferred call still failing; sent to the waiting queue', { ...identity, error: reason, waitingSince: state.since.toISOString(), waitingRound: state.round });
      return;
    }
    logger.warn('deferred call still failing', { ...identity, error: reason, receiveCount });
    throw error;
  }
}
