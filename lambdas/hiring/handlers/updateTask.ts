import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { retryWrite } from '../../shared/dynamodb/index.js';
import { requireUuidV4, ValidationError, type RouteHandler } from '../../shared/http/index.js';
import { lastWriteWinsCondition } from '../../shared/messaging/index.js';
import type { TaskItem } from '../keys.js';
import { taskKey } from '../keys.js';
import type { HiringContext, UpdateTaskBody } from '../types.js';

/**
 * `PUT /internal/tasks/{task_uid}` (update_task, called by tasks with SigV4) -> 200 {applied}.
 *
 * Replaces hiring's copy of the task when the body's `version` is newer than the stored one
 * (last-write-wins: updates may arrive in any order, twice, or both as call and event); an older or
 * equal version answers `{applied: false}`, still 200, so the caller's delivery counts as done.
 * A body naming another task than the path -> 400 `body.task_uid`. A write refused because a
 * transaction holds the task (a solution being recorded) is retried (`retryWrite`).
 */
export function updateTask(ctx: HiringContext): RouteHandler<UpdateTaskBody> {
  return async (request) => {
    const taskUid = requireUuidV4('task_uid', request.pathParameters.task_uid);
    const body = request.body;
    if (body.task_uid !== taskUid) {
      throw new ValidationError('body.task_uid', `task_uid ${body.task_uid} does not match the path's ${taskUid}`);
    }
    const item: TaskItem = {
      ...taskKey(taskUid),
      item_type: 'task',
      task_uid: taskUid,
      title: body.title,
      knowledge_area: body.knowledge_area,
      manager_uid: body.manager_uid,
      ...(body.description !== undefined ? { description: body.description } : {}),
      version: body.version,
      updated_at: ctx.now().toISOString(),
    };
    try {
      await retryWrite(() => ctx.doc.send(new PutCommand({ TableName: ctx.tableName, Item: item, ...lastWriteWinsCondition(body.version) })), {
        what: `hiring's copy of task ${taskUid}`,
        logger: request.logger,
      });
    } catch (error) {
      if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
      request.logger.info('stale task update ignored', { task_uid: taskUid, version: body.version });
      return { status: 200, body: { applied: false } };
    }
    return { status: 200, body: { applied: true } };
  };
}
