import { getNumberFromEnv, getStringFromEnv } from '@aws-lambda-powertools/commons/utils/env';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue as StreamAttributeValue, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { SQS_CLIENT_CONFIG } from '../messaging/sqsClientConfig.js';
import type { DeferredCallMessage } from './types.js';

const sqs = new SQSClient(SQS_CLIENT_CONFIG);

/**
 * Table stream (filtered to inserts of pending calls) -> the deferred-calls queue, delayed so the
 * synchronous attempt normally wins and the deliverer only finds a delivered row to skip.
 * A failed send fails exactly that record (and, the stream being ordered, what follows it).
 */
export async function handler(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  const queueUrl = getStringFromEnv({ key: 'DEFERRED_CALLS_QUEUE_URL' });
  const delaySeconds = getNumberFromEnv({ key: 'DEFER_DELAY_SECONDS', defaultValue: 60 });
  const records = event.Records.filter((record) => record.dynamodb?.NewImage);
  for (let start = 0; start < records.length; start += 10) {
    const chunk = records.slice(start, start + 10);
    const entries = chunk.map((record, index) => {
      const image = unmarshall(record.dynamodb!.NewImage as Record<string, StreamAttributeValue> as Record<string, AttributeValue>);
      const message: DeferredCallMessage = { pk: String(image.pk) };
      return { Id: String(index), MessageBody: JSON.stringify(message), DelaySeconds: delaySeconds };
    });
    let failedIndex: number | undefined;
    try {
      const result = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
      const failed = (result.Failed ?? []).map((f) => Number(f.Id));
      if (failed.length > 0) failedIndex = Math.min(...failed);
    } catch {
      failedIndex = 0;
    }
    if (failedIndex !== undefined) {
      // Report the first failure: Lambda retries from there, so nothing after it is skipped.
      return { batchItemFailures: [{ itemIdentifier: chunk[failedIndex]!.dynamodb!.SequenceNumber! }] };
    }
  }
  return { batchItemFailures: [] };
}
