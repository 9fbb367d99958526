import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { metrics } from '../../observability.js';
import { requiredEnv } from '../requiredEnv.js';
import { SQS_CLIENT_CONFIG } from '../sqsClientConfig.js';
import { republishFailedBatches, type RepublishSummary } from './republishFailedBatches.js';

const sqs = new SQSClient(SQS_CLIENT_CONFIG);
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const eventBridge = new EventBridgeClient({});

/**
 * Republisher, invoked by an operator (`aws lambda invoke --function-name <name> out.json`):
 * drains the outbox publisher's failure queue and re-puts the events; returns a summary.
 * Env: `FAILURE_QUEUE_URL`, `TABLE_NAME`, `EVENT_BUS_NAME`, `REPUBLISH_MARGIN_SECONDS`.
 */
export async function handler(_event: unknown, context: Context): Promise<RepublishSummary> {
  try {
    return await republishFailedBatches({
      sqs,
      doc,
      eventBridge,
      failureQueueUrl: requiredEnv('FAILURE_QUEUE_URL'),
      tableName: requiredEnv('TABLE_NAME'),
      eventBusName: requiredEnv('EVENT_BUS_NAME'),
      marginSeconds: Number(process.env.REPUBLISH_MARGIN_SECONDS ?? 300),
      shouldStop: () => context.getRemainingTimeInMillis() < 30_000,
    });
  } finally {
    metrics.publishStoredMetrics();
  }
}
