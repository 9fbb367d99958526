import { pendingCallPut } from '../../shared/calls/index.js';
import { HttpError, recordItems, type HttpRequest, type HttpResponse, type RouteHandler } from '../../shared/http/index.js';
import { retryWrite } from '../../shared/dynamodb/index.js';
import { writeWithOutbox } from '../../shared/messaging/index.js';
import { linkBehaviour } from '../../shared/migrations/plan.js';
import { storedTask, taskCreatedEvent, taskUpdatedEvent } from '../migrations/producers.js';
import type { TasksApiContext } from '../types.js';
import { newTask } from '../domain/task.js';
import { updateTaskCall } from '../domain/hiringCalls.js';
import { managerKey } from '../keys.js';
import { checkExists, failedConditionIndex, putNew, taskItem } from '../store.js';
import type { CreateTaskBody } from '../types.js';

const MANAGER_CHECK_INDEX = 1;

export const managerNotFound = (managerUid: string): HttpError =>
  new HttpError(404, 'not_found', `manager ${managerUid} not found`, { field: 'body.manager_uid' });

/**
 * `POST /tasks` -> 201 `{task_uid}`; 404 (field `body.manager_uid`) for an unknown manager.
 * ONE transaction: the task (version 1), a check that the manager exists, the `TaskCreated` v1
 * outbox row, the pending update_task call to hiring and the idempotency record. Then the call is
 * tried at once; when hiring is down the answer is still 201 and the call is delivered later.
 * Tasks created at once for one manager conflict on its check: retried (`retryWrite`).
 */
export function createTask(ctx: TasksApiContext): RouteHandler<CreateTaskBody> {
  return async ({ body, idempotency, logger }: HttpRequest<CreateTaskBody>): Promise<HttpResponse> => {
    if (!(await ctx.store.getManager(body.manager_uid))) throw managerNotFound(body.manager_uid);
    const task = storedTask(newTask(ctx.newId(), body, ctx.now()), ctx.steps);
    // task-updated: hiring gets the task by event until step 2, by the update_task call from then on.
    const pushes = linkBehaviour(ctx.steps).tasksCallsUpdateTask;
    const call = pushes ? updateTaskCall(ctx.newId(), task) : undefined;
    const events = [taskCreatedEvent(task, ctx.steps, ctx.now()), ...(pushes ? [] : [taskUpdatedEvent(task, ctx.now())])];
    const response: HttpResponse = { status: 201, body: { task_uid: task.task_uid } };
    const write = () =>
      writeWithOutbox(ctx.doc, ctx.tableName, {
        changes: [
          putNew(ctx.tableName, taskItem(task)),
          checkExists(ctx.tableName, managerKey(body.manager_uid)),
          ...(call ? [pendingCallPut(ctx.tableName, call, ctx.now())] : []),
          ...recordItems(idempotency, response),
        ],
        events,
      });
    try {
      await retryWrite(write, { what: `task ${task.task_uid}`, logger });
    } catch (error) {
      if (failedConditionIndex(error) === MANAGER_CHECK_INDEX) throw managerNotFound(body.manager_uid);
      throw error;
    }
    if (call) await ctx.callHiring(call);
    return response;
  };
}
