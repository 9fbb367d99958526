import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createConsumer, type ConsumerOverrides } from '../shared/messaging/index.js';
import { stepsFromEnv, type MigrationSteps } from '../shared/migrations/steps.js';
import { onNewCandidate } from './consumers/newCandidate.js';
import { onTaskUpdateRequested } from './consumers/taskUpdateRequested.js';
import { tasksHandlersAt } from './migrations/consumerHandlers.js';

/** Name of the consumer (part of its processed-event markers). */
export const TASKS_CONSUMER = 'tasks';

/** Overrides of the consumer's configuration (tests, local runs); the rest comes from the environment. */
export interface TasksConsumerDeps extends ConsumerOverrides {
  /** @default () => new Date() */
  now?: () => Date;
  /** Migration steps. @default env `MIGRATION_*_STEP`, else the final steps */
  steps?: MigrationSteps;
}

/**
 * Builds the SQS handler of the tasks consumer (`NewCandidate` v0, `TaskUpdateRequested` v0 from
 * hiring). Env: `TABLE_NAME`, `QUEUE_URL`, `DEAD_LETTER_QUEUE_URL` (set by the `EventConsumer` construct).
 *
 * @example
 * ```ts
 * const handler = createTasksConsumer({ clients: { doc, sqs }, tableName, queueUrl, deadLetterQueueUrl });
 * const { batchItemFailures } = await handler(sqsEvent);
 * ```
 */
export function createTasksConsumer(deps: TasksConsumerDeps = {}): (event: SQSEvent, context?: Context) => Promise<SQSBatchResponse> {
  return createConsumer({
    consumer: TASKS_CONSUMER,
    clients: deps.clients,
    tableName: deps.tableName,
    queueUrl: deps.queueUrl,
    deadLetterQueueUrl: deps.deadLetterQueueUrl,
    parking: deps.parking,
    handlers: tasksHandlersAt(
      { NewCandidate: { '0': onNewCandidate }, TaskUpdateRequested: { '0': onTaskUpdateRequested(deps.now ?? (() => new Date())) } },
      { steps: deps.steps ?? stepsFromEnv() },
    ),
  });
}
