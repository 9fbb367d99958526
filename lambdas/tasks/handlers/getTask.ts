import { NotFoundError, type HttpRequest, type HttpResponse, type RouteHandler } from '../../shared/http/index.js';
import type { TasksApiContext } from '../types.js';
import { taskView } from '../domain/task.js';

/** `GET /tasks/{task_uid}` -> 200 the task with its `update_requests`, 404 when unknown. */
export function getTask(ctx: TasksApiContext): RouteHandler {
  return async ({ pathParameters }: HttpRequest): Promise<HttpResponse> => {
    const taskUid = pathParameters.task_uid!;
    const aggregate = await ctx.store.getTaskAggregate(taskUid);
    if (!aggregate) throw new NotFoundError(`task ${taskUid} not found`);
    return { status: 200, body: taskView(aggregate.task, aggregate.updateRequests) };
  };
}
