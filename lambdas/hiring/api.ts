/**
 * Lambda entry of the hiring API (API Gateway REST proxy integration): `handler`.
 *
 * Env: `TABLE_NAME` (the hiring table), `BONUS_API_URL` (bonus API base URL incl. stage, for the
 * durable rating call), `TASKS_API_URL` (the legacy update-request call, while its migration needs
 * it), `POWERTOOLS_SERVICE_NAME=hiring`; `AWS_REGION` for SigV4 (set by Lambda).
 */
import { getStringFromEnv } from '@aws-lambda-powertools/commons/utils/env';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { documentClient, once } from '../shared/clients/index.js';
import { optionalStringFromEnv } from '../shared/env.js';
import { powertools } from '../shared/observability.js';
import { createHiringApi } from './createHiringApi.js';

const api = once(() =>
  createHiringApi({
    doc: documentClient(),
    tableName: getStringFromEnv({ key: 'TABLE_NAME' }),
    bonusApiUrl: optionalStringFromEnv('BONUS_API_URL'),
    tasksApiUrl: optionalStringFromEnv('TASKS_API_URL'),
  }),
);

export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(powertools())
  .handler((event, context) => api()(event, context));
