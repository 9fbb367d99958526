/**
 * Lambda entry of the hiring event consumer (SQS event source, batch item failures): `handler`.
 * Consumer name `hiring`; handles `ManagerUpdated` v1.
 *
 * Env (set by the EventConsumer construct): `TABLE_NAME`, `QUEUE_URL`, `DEAD_LETTER_QUEUE_URL`,
 * optional `PARK_MAX_ATTEMPTS`, `PARK_BASE_DELAY_SECONDS`; `POWERTOOLS_SERVICE_NAME=hiring`.
 */
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { powertools } from '../shared/observability.js';
import { createHiringConsumer } from './createHiringConsumer.js';

const consumer = createHiringConsumer();

export const handler = middy<SQSEvent, SQSBatchResponse>()
  .use(powertools())
  .handler((event, context) => consumer(event, context));
