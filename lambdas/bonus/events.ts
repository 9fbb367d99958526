/**
 * Lambda entry of the bonus event consumer (SQS event sources, batch item failures): `handler`.
 * Consumer name `bonus`; handles `TaskSolved` (from hiring), `ManagerUpdated` and `TaskCreated` (from tasks).
 *
 * Env (set by the EventConsumer construct): `TABLE_NAME`, `QUEUE_URL`, `DEAD_LETTER_QUEUE_URL`,
 * `BONUS_PER_RATING_POINT` (minor units per rating point), optional `PARK_MAX_ATTEMPTS`,
 * `PARK_BASE_DELAY_SECONDS`, `TASKS_API_URL` (get_manager, while its migration needs it);
 * `POWERTOOLS_SERVICE_NAME=bonus`.
 */
import { getNumberFromEnv } from '@aws-lambda-powertools/commons/utils/env';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { once } from '../shared/clients/index.js';
import { powertools } from '../shared/observability.js';
import { createBonusConsumer } from './createBonusConsumer.js';

const consumer = once(() => createBonusConsumer({ perRatingPoint: getNumberFromEnv({ key: 'BONUS_PER_RATING_POINT' }) }));

export const handler = middy<SQSEvent, SQSBatchResponse>()
  .use(powertools())
  .handler((event, context) => consumer()(event, context));
