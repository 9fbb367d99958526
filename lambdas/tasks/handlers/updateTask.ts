import { pendingCallPut } from '../../shared/calls/index.js';
import { NotFoundError, type HttpRequest, type HttpResponse, type RouteHandler } from '../../shared/http/index.js';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { retryWrite, WriteRaced } from '../../shared/dynamodb/index.js';
import type { TasksApiContext } from '../types.js';
import { taskView } from '../domain/task.js';
import { linkBehaviour } from '../../shared/migrations/plan.js';
import { writeWithOutbox } from '../../shared/messaging/index.js';
import { applyTaskChange, taskUpdatedEvent } from '../migrations/producers.js';
import { updateTaskCall } from '../domain/hiringCalls.js';
import { managerKey } from '../keys.js';
import { checkExists, failedConditionIndex, putIfVersion, taskItem } from '../store.js';
import type { TransactWriteItem } from '../../shared/messaging/index.js';
import type { UpdateTaskBody } from '../types.js';
import { managerNotFound } from './createTask.js';

/**
 * `PUT /tasks/{task_uid}` -> 200 the task. Version + 1 under an optimistic condition (a lost race
 * re-reads and applies the change on the newer version: concurrent updates are all applied, none
 * lost), `needs_update` cleared, and the pending update_task call to hiring with the new full state
 * in the same transaction; then the call is tried at once. Transaction conflicts are retried too
 * (`retryWrite`); 409 `write_conflict` when the contention outlasts its budget. No event: the
 * TaskUpdated link migrated to the synchronous push.
 */
export function updateTask(ctx: TasksApiContext): RouteHandler<UpdateTaskBody> {
  return async ({ pathParameters, body, logger }: HttpRequest<UpdateTaskBody>): Promise<HttpResponse> => {
    const taskUid = pathParameters.task_uid!;
    const changesManager = body.manager_uid !== undefined;
    if (changesManager && !(await ctx.store.getManager(body.manager_uid!))) throw managerNotFound(body.manager_uid!);
    const { task, call } = await retryWrite(async () => {
      const current = await ctx.store.getTask(taskUid);
      if (!current) throw new NotFoundError(`task ${taskUid} not found`);
      const next = applyTaskChange(current, body, ctx.now(), ctx.steps);
      // task-updated: a TaskUpdated event until step 2, the update_task call from then on.
      const pushes = linkBehaviour(ctx.steps).tasksCallsUpdateTask;
      const nextCall = pushes ? updateTaskCall(ctx.newId(), next) : undefined;
      const items: TransactWriteItem[] = [
        putIfVersion(ctx.tableName, taskItem(next), current.version),
        ...(changesManager ? [checkExists(ctx.tableName, managerKey(body.manager_uid!))] : []),
        ...(nextCall ? [pendingCallPut(ctx.tableName, nextCall, ctx.now())] : []),
      ];
      try {
        if (nextCall) await ctx.doc.send(new TransactWriteCommand({ TransactItems: items }));
        else await writeWithOutbox(ctx.doc, ctx.tableName, { changes: items, events: [taskUpdatedEvent(next, ctx.now())] });
      } catch (error) {
        const failed = failedConditionIndex(error);
        if (failed === 0) throw new WriteRaced('the task changed meanwhile', { cause: error });
        if (failed === 1 && changesManager) throw managerNotFound(body.manager_uid!);
        throw error;
      }
      return { task: next, call: nextCall };
    }, { what: `task ${taskUid}`, logger });
    if (call) await ctx.callHiring(call);
    const aggregate = await ctx.store.getTaskAggregate(taskUid);
    return { status: 200, body: taskView(task, aggregate?.updateRequests ?? []) };
  };
}
