import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { inject } from 'vitest';

const local = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } as const;

/** Clients pointed at the DynamoDB Local and SQS server started by the global setup. */
export function localClients() {
  const dynamodb = new DynamoDBClient({ ...local, endpoint: inject('dynamodbEndpoint') });
  return {
    dynamodb,
    doc: DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } }),
    sqs: new SQSClient({ ...local, endpoint: inject('sqsEndpoint') }),
  };
}

/** A name no other test uses (tables and queues are shared by the whole run). */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}
