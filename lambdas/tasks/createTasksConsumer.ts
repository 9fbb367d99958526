import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import {
  createConsumer,
  firstWriteWinsPut,
  PrerequisiteMissingError,
  type ConsumerContext,
  type ConsumerOverrides,
  type Effect,
} from '../shared/messaging/index.js';
import type { EventOf } from '../shared/registry/index.js';
import { candidateFromEvent } from './domain/candidate.js';
import { updateRequestFromEvent } from './domain/updateRequest.js';
import { taskKey } from './keys.js';
import { candidateItem, TasksStore, updateRequestItem } from './store.js';
import { linkBehaviour } from '../shared/migrations/plan.js';
import { stepsFromEnv, type MigrationSteps } from '../shared/migrations/steps.js';

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
 * `NewCandidate` v0: remember the candidate, so tasks may be assigned to it. A plain Put: the
 * runtime writes the processed marker in the same transaction, so a redelivery is a no-op.
 */
export async function onNewCandidate(event: EventOf<'NewCandidate', '0'>, ctx: ConsumerContext): Promise<Effect> {
  const candidate = candidateFromEvent(event.payload, event.produced_at);
  return [{ Put: { TableName: ctx.tableName, Item: candidateItem(candidate) } }];
}

/**
 * `TaskUpdateRequested` v0: record the request on the task (`UPDATE_REQUEST#<request_id>`, created
 * only once: `request_id` is hiring's idempotency key) and mark the task `needs_update`.
 * An unknown task parks the message (the task may not have arrived yet); a request already
 * recorded (same `request_id` through another event or path) is a no-op.
 *
 * At task-update-request step 4 the legacy update_task call still records requests too, and one
 * can commit the same `request_id` between this handler's read and the runtime's write. The
 * legacy route treats that case as "already recorded" (200, `recorded: false`); here the request
 * row is a first-write-wins Put, so the runtime skips the effect and writes the marker alone
 * instead of dead-lettering the event as poison.
 */
export function onTaskUpdateRequested(now: () => Date) {
  return async (event: EventOf<'TaskUpdateRequested', '0'>, ctx: ConsumerContext): Promise<Effect> => {
    const { task_uid, request_id } = event.payload;
    const store = new TasksStore(ctx.doc, ctx.tableName);
    if (!(await store.getTask(task_uid))) throw new PrerequisiteMissingError(`task ${task_uid} unknown to tasks`);
    if (await store.getUpdateRequest(task_uid, request_id)) {
      ctx.logger.info('update request already recorded', { task_uid, request_id });
      return [];
    }
    const request = updateRequestFromEvent(event.payload, now());
    return [
      firstWriteWinsPut(ctx.tableName, updateRequestItem(request)),
      {
        Update: {
          TableName: ctx.tableName,
          Key: taskKey(task_uid),
          UpdateExpression: 'SET needs_update = :true, last_update_request_id = :request_id',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':true': true, ':request_id': request_id },
        },
      },
    ];
  };
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
    handlers: {
      NewCandidate: { '0': onNewCandidate },
      ...tasksUpdateRequestHandlers(deps.steps ?? stepsFromEnv(), deps.now ?? (() => new Date())),
    },
  });
}

/**
 * TaskUpdateRequested at the steps of task-update-request: no subscription before step 2; at
 * steps 2..3 the consumer only observes (the legacy update_task call records the request); from
 * step 4 it records it, deduplicated by `request_id` against requests that came through the call.
 */
function tasksUpdateRequestHandlers(steps: MigrationSteps, now: () => Date) {
  if (steps.taskUpdateRequest < 2) return {};
  if (linkBehaviour(steps).tasksAppliesUpdateRequested) return { TaskUpdateRequested: { '0': onTaskUpdateRequested(now) } };
  const observe = async (event: EventOf<'TaskUpdateRequested', '0'>, ctx: ConsumerContext): Promise<Effect> => {
    ctx.logger.info('update request observed (recorded through the update_task call at this step)', { request_id: event.payload.request_id, task_uid: event.payload.task_uid });
    return [];
  };
  return { TaskUpdateRequested: { '0': observe } };
}
