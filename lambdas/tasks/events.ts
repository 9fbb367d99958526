/**
 * Lambda entry of the tasks event consumer (SQS queue fed by the EventBridge rule for
 * `NewCandidate` v0 and `TaskUpdateRequested` v0 from hiring): `handler`.
 *
 * Env (set by the EventConsumer construct): `TABLE_NAME`, `QUEUE_URL`, `DEAD_LETTER_QUEUE_URL`,
 * optional `PARK_MAX_ATTEMPTS`, `PARK_BASE_DELAY_SECONDS`; `POWERTOOLS_SERVICE_NAME=tasks`.
 */
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { powertools } from '../shared/observability.js';
import { createTasksConsumer } from './createTasksConsumer.js';

const consumer = createTasksConsumer();

export const handler = middy<SQSEvent, SQSBatchResponse>()
  .use(powertools())
  .handler((event, context) => consumer(event, context));
