import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { ServiceCallRejectedError } from '../http/index.js';
import { lazySendMessage } from '../messaging/lazySendMessage.js';
import { requiredEnv } from '../messaging/requiredEnv.js';
import { logger } from '../observability.js';
import { baseUrlsFromEnv } from './baseUrlsFromEnv.js';
import { deliverCall } from './deliverCall.js';
import type { DeferredCallMessage, PendingCallRecord } from './types.js';

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));
// Only a call the target rejects is sent on (to the DLQ): the SQS client is loaded then.
const sendMessage = lazySendMessage();

/**
 * Deferred-calls queue -> the target service. A row already delivered (the synchronous attempt
 * won) is skipped. A target that is still down fails the record: SQS retries it after the
 * visibility timeout and moves it to the DLQ after `maxReceiveCount` (console redrive works).
 * A 4xx answer cannot be fixed by retrying: the message goes to the DLQ at once with the reason.
 */
export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  const tableName = requiredEnv('TABLE_NAME');
  const baseUrls = baseUrlsFromEnv();
  const results = await Promise.allSettled(event.Records.map((record) => deliverRecord(record, tableName, baseUrls)));
  return {
    batchItemFailures: results.flatMap((result, index) =>
      result.status === 'rejected' ? [{ itemIdentifier: event.Records[index]!.messageId }] : [],
    ),
  };
}

async function deliverRecord(record: SQSRecord, tableName: string, baseUrls: ReturnType<typeof baseUrlsFromEnv>): Promise<void> {
  const { pk } = JSON.parse(record.body) as DeferredCallMessage;
  const { Item } = await doc.send(new GetCommand({ TableName: tableName, Key: { pk, sk: 'CALL' }, ConsistentRead: true }));
  const call = Item as PendingCallRecord | undefined;
  if (!call || call.status === 'delivered') return;
  try {
    await deliverCall(call, { doc, tableName, baseUrls, retry: { maxAttempts: 3 } });
    logger.info('deferred call delivered', { call_id: call.call_id, target: call.target, path: call.path });
  } catch (error) {
    if (!(error instanceof ServiceCallRejectedError)) {
      logger.warn('deferred call still failing', { call_id: call.call_id, target: call.target, error: String(error) });
      throw error;
    }
    logger.error('deferred call rejected by target', { call_id: call.call_id, status: error.status, body: error.body });
    await sendMessage({
      QueueUrl: requiredEnv('DEAD_LETTER_QUEUE_URL'),
      MessageBody: record.body,
      MessageAttributes: {
        'failure-kind': { DataType: 'String', StringValue: 'rejected' },
        'failure-reason': { DataType: 'String', StringValue: `${error.status}: ${JSON.stringify(error.body)}`.slice(0, 1000) },
        'failed-at': { DataType: 'String', StringValue: new Date().toISOString() },
      },
    });
  }
}
