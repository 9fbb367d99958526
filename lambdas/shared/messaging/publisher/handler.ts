import { getStringFromEnv } from '@aws-lambda-powertools/commons/utils/env';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { metrics } from '../../observability.js';
import { publishOutboxRecords } from './publishOutboxRecords.js';

const eventBridge = new EventBridgeClient({});

/**
 * Outbox publisher: DynamoDB stream (filtered to outbox INSERTs) -> EventBridge.
 * Env: `EVENT_BUS_NAME`. Logic in {@link publishOutboxRecords}.
 */
export async function handler(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  try {
    const result = await publishOutboxRecords(event.Records, { eventBridge, eventBusName: getStringFromEnv({ key: 'EVENT_BUS_NAME' }) });
    return { batchItemFailures: result.batchItemFailures };
  } finally {
    metrics.publishStoredMetrics();
  }
}
