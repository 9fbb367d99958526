/**
 * Lambda entry of the bonus API (API Gateway REST proxy integration): `handler`.
 *
 * Env: `TABLE_NAME` (the bonus table), `POWERTOOLS_SERVICE_NAME=bonus`.
 */
import { getStringFromEnv } from '@aws-lambda-powertools/commons/utils/env';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { documentClient, once } from '../shared/clients/index.js';
import { powertools } from '../shared/observability.js';
import { createBonusApi } from './createBonusApi.js';

const api = once(() => createBonusApi({ doc: documentClient(), tableName: getStringFromEnv({ key: 'TABLE_NAME' }) }));

export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(powertools())
  .handler((event, context) => api()(event, context));
