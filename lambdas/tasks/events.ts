/**
 * Lambda entry point of the tasks event consumer (SQS queue fed by the EventBridge rule for
 * `NewCandidate` v0 and `TaskUpdateRequested` v0 from hiring).
 *
 * Env: `TABLE_NAME`, `QUEUE_URL`, `DEAD_LETTER_QUEUE_URL`, optional `PARK_MAX_ATTEMPTS`,
 * `PARK_BASE_DELAY_SECONDS`, `POWERTOOLS_SERVICE_NAME=tasks`.
 */
import { createTasksConsumer } from './createTasksConsumer.js';

export const handler = createTasksConsumer();
