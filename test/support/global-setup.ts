import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../local/dynamodb-local.js';
import { startSqsServer } from '../../local/sqs-server.js';

/**
 * Starts one DynamoDB Local and one SQS server for the whole test run; each test file uses its own
 * table names / queue names (see `test/support/aws.ts`), so files can run in parallel.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // This runs in vitest's main process, which `test.env` does not reach: the SQS server's SDK client
  // would print the Node 20 end-of-support warning into the report.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
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
