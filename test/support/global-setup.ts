import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../local/dynamodb-local.js';
import { startSqsServer } from '../../local/sqs-server.js';

/**
 * Starts one DynamoDB Local and one SQS server for the whole test run; each test file uses its own
 * table names / queue names (see `test/support/aws.ts`), so files can run in parallel.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const [dynamodb, sqs] = await Promise.all([startDynamoDbLocal(), startSqsServer()]);
  project.provide('dynamodbEndpoint', dynamodb.endpoint);
  project.provide('sqsEndpoint', sqs.endpoint);
  return async () => {
    await Promise.all([dynamodb.stop(), sqs.stop()]);
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
    sqsEndpoint: string;
  }
}
