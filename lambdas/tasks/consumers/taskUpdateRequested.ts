import { firstWriteWinsPut, PrerequisiteMissingError, type ConsumerContext, type Effect } from '../../shared/messaging/index.js';
import type { EventOf } from '../../shared/registry/index.js';
import { updateRequestFromEvent } from '../domain/updateRequest.js';
import { taskKey } from '../keys.js';
import { TasksStore, updateRequestItem } from '../store.js';

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
