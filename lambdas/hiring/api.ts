/**
 * Lambda entry of the hiring API (API Gateway REST proxy integration): `handler`.
 *
 * Env: `TABLE_NAME` (the hiring table), `BONUS_API_URL` (bonus API base URL incl. stage, for the
 * durable rating call), `POWERTOOLS_SERVICE_NAME=hiring`; `AWS_REGION` for SigV4 (set by Lambda).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { createHiringApi } from './createHiringApi.js';
import type { HttpApiHandler } from '../shared/http/index.js';

let api: HttpApiHandler | undefined;

function resolveApi(): HttpApiHandler {
  if (api) return api;
  const tableName = process.env.TABLE_NAME;
  if (!tableName) throw new Error('hiring api: env TABLE_NAME is not set');
  api = createHiringApi({
    doc: DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } }),
    tableName,
    bonusApiUrl: process.env.BONUS_API_URL,
    tasksApiUrl: process.env.TASKS_API_URL,
  });
  return api;
}

/** The hiring API handler; clients are created on the first invocation and reused. */
export const handler = (event: APIGatewayProxyEvent, context?: Context): Promise<APIGatewayProxyResult> =>
  resolveApi()(event, context);
