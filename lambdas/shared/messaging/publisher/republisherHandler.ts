import { getNumberFromEnv, getStringFromEnv } from '@aws-lambda-powertools/commons/utils/env';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { metrics } from '../../observability.js';
import { SQS_CLIENT_CONFIG } from '../sqsClientConfig.js';
import { republishFailedBatches, type RepublishSummary } from './republishFailedBatches.js';

const sqs = new SQSClient(SQS_CLIENT_CONFIG);
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const eventBridge = new EventBridgeClient({});

/** What an operator may pass when invoking the republisher by hand (a scheduled run passes nothing of it). */
export interface RepublishRequest {
  /** Drain the unresolved queue instead of the failure queue (messages still unresolved stay there). */
  readonly retryUnresolved?: boolean;
  /** Widen each batch's window by this many seconds instead of `REPUBLISH_MARGIN_SECONDS`. */
  readonly marginSeconds?: number;
}

/** The request's options, ignoring whatever else the event carries (an EventBridge scheduled event). */
export function republishRequest(event: unknown): { retryUnresolved: boolean; marginSeconds?: number } {
  const input = (event && typeof event === 'object' ? event : {}) as Record<string, unknown>;
  const margin = input.marginSeconds;
  if (margin !== undefined && (typeof margin !== 'number' || !Number.isInteger(margin) || margin < 0 || margin > 31 * 24 * 3600)) {
    throw new Error(`marginSeconds must be an integer number of seconds (0..${31 * 24 * 3600}), got ${JSON.stringify(margin)}`);
  }
  return { retryUnresolved: input.retryUnresolved === true, marginSeconds: margin };
}

/**
 * Republisher, run by a schedule (every 15 minutes) and by hand: drains the outbox publisher's
 * failure queue, re-puts the events and moves failure messages it cannot resolve to the unresolved
 * queue; returns a summary. By hand, `{"retryUnresolved": true, "marginSeconds": 3600}` retries the
 * unresolved queue with a wider window.
 * Env: `FAILURE_QUEUE_URL`, `UNRESOLVED_QUEUE_URL`, `TABLE_NAME`, `EVENT_BUS_NAME`, `REPUBLISH_MARGIN_SECONDS`.
 */
export async function handler(event: unknown, context: Context): Promise<RepublishSummary> {
  const request = republishRequest(event);
  const unresolvedQueueUrl = getStringFromEnv({ key: 'UNRESOLVED_QUEUE_URL' });
  try {
    return await republishFailedBatches({
      sqs,
      doc,
      eventBridge,
      failureQueueUrl: request.retryUnresolved ? unresolvedQueueUrl : getStringFromEnv({ key: 'FAILURE_QUEUE_URL' }),
      unresolvedQueueUrl: request.retryUnresolved ? undefined : unresolvedQueueUrl,
      tableName: getStringFromEnv({ key: 'TABLE_NAME' }),
      eventBusName: getStringFromEnv({ key: 'EVENT_BUS_NAME' }),
      marginSeconds: request.marginSeconds ?? getNumberFromEnv({ key: 'REPUBLISH_MARGIN_SECONDS', defaultValue: 300 }),
      shouldStop: () => context.getRemainingTimeInMillis() < 30_000,
    });
  } finally {
    metrics.publishStoredMetrics();
  }
}
