import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createConsumer, type ConsumerOverrides } from '../shared/messaging/index.js';
import { stepsFromEnv, type MigrationSteps } from '../shared/migrations/steps.js';
import { managerUpdatedV1 } from './consumers/managerUpdated.js';
import { hiringHandlersAt } from './migrations/consumerHandlers.js';

/** What the hiring consumer is built from; every field defaults to the environment / default clients. */
export interface HiringConsumerDeps extends ConsumerOverrides {
  /** Migration steps (which events and versions it handles). @default env `MIGRATION_*_STEP`, else the final steps */
  steps?: MigrationSteps;
}

/** The consumer name (part of the processed-event marker keys). */
export const HIRING_CONSUMER = 'hiring';

/**
 * Builds the hiring event consumer (SQS, batch item failures): `ManagerUpdated` v1 only. Any other
 * event or version (e.g. a late `ManagerUpdated` v0 after the login migration) goes to the DLQ as
 * unsupported, with its reason.
 *
 * @example
 * ```ts
 * const handler = createHiringConsumer({ clients: { doc, sqs }, tableName, queueUrl, deadLetterQueueUrl });
 * await handler(sqsEvent); // { batchItemFailures: [] }
 * ```
 */
export function createHiringConsumer(deps: HiringConsumerDeps = {}): (event: SQSEvent, context?: Context) => Promise<SQSBatchResponse> {
  const { steps, ...rest } = deps;
  return createConsumer({
    consumer: HIRING_CONSUMER,
    handlers: hiringHandlersAt({ ManagerUpdated: { '1': managerUpdatedV1 } }, { steps: steps ?? stepsFromEnv() }),
    ...rest,
  });
}
