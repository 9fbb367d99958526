/**
 * Lambda entry point of the tasks API (API Gateway REST, proxy integration).
 *
 * Env: `TABLE_NAME` (the tasks table), `HIRING_API_URL` (hiring's API base URL incl. stage),
 * `POWERTOOLS_SERVICE_NAME=tasks`, `AWS_REGION` (SigV4 of the calls to hiring).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { requiredEnv } from '../shared/messaging/requiredEnv.js';
import { createTasksApi } from './createTasksApi.js';

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });

export const handler = createTasksApi({
  doc,
  tableName: requiredEnv('TABLE_NAME'),
  hiringApiUrl: process.env.HIRING_API_URL,
});
