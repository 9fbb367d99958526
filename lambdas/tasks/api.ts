/**
 * Lambda entry of the tasks API (API Gateway REST proxy integration): `handler`.
 *
 * Env: `TABLE_NAME` (the tasks table), `HIRING_API_URL` (hiring's API base URL incl. stage),
 * `POWERTOOLS_SERVICE_NAME=tasks`; `AWS_REGION` for SigV4 (set by Lambda).
 */
import { getStringFromEnv } from '@aws-lambda-powertools/commons/utils/env';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { documentClient, once } from '../shared/clients/index.js';
import { optionalStringFromEnv } from '../shared/env.js';
import { powertools } from '../shared/observability.js';
import { createTasksApi } from './createTasksApi.js';

const api = once(() =>
  createTasksApi({
    doc: documentClient(),
    tableName: getStringFromEnv({ key: 'TABLE_NAME' }),
    hiringApiUrl: optionalStringFromEnv('HIRING_API_URL'),
  }),
);

export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(powertools())
  .handler((event, context) => api()(event, context));
