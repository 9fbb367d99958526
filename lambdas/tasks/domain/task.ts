import type { TaskCreatedV1Payload } from '../../shared/registry/generated/types.js';
import type { UpdateTaskRequest } from '../../shared/contracts/internalRoutes.js';
import type { CreateTaskBody, UpdateTaskBody } from '../types.js';
import type { Task, UpdateRequest } from '../keys.js';
import { taskTitleParts } from '../../shared/migrations/taskTitle.js';

/** The body of hiring's update_task; an index signature so it can travel as a pending call's body. */
export type HiringTaskBody = UpdateTaskRequest & Record<string, unknown>;

/**
 * A new task at version 1, not needing an update.
 *
 * @example
 * ```ts
 * const task = newTask(randomUUID(), { title: 'FizzBuzz', knowledge_area: 'Go', manager_uid }, new Date());
 * ```
 */
export function newTask(taskUid: string, body: CreateTaskBody, now: Date): Task {
  const at = now.toISOString();
  return {
    task_uid: taskUid,
    title: body.title,
    knowledge_area: body.knowledge_area,
    manager_uid: body.manager_uid,
    ...(body.description !== undefined ? { description: body.description } : {}),
    version: 1,
    needs_update: false,
    created_at: at,
    updated_at: at,
  };
}

/**
 * The task after `changes`: the given fields replaced, version + 1, and `needs_update` cleared
 * (an update is the answer to hiring's update requests).
 *
 * @example
 * ```ts
 * changeTask(task, { title: 'FizzBuzz 2' }, new Date()).version === task.version + 1;
 * ```
 */
export function changeTask(task: Task, changes: UpdateTaskBody, now: Date): Task {
  const next: Task = { ...task, version: task.version + 1, needs_update: false, updated_at: now.toISOString() };
  if (changes.title !== undefined) next.title = changes.title;
  if (changes.knowledge_area !== undefined) next.knowledge_area = changes.knowledge_area;
  if (changes.manager_uid !== undefined) next.manager_uid = changes.manager_uid;
  if (changes.description !== undefined) next.description = changes.description;
  return next;
}

/** Payload of `TaskCreated` v1. */
export function taskCreatedPayload(task: Task): TaskCreatedV1Payload {
  return { task_uid: task.task_uid, knowledge_area: task.knowledge_area, title: task.title, manager_uid: task.manager_uid };
}

/** What hiring's update_task receives: the full current state and its version (newest wins there). */
export function hiringTaskBody(task: Task): HiringTaskBody {
  return {
    task_uid: task.task_uid,
    // A row stored before the knowledge_area split still goes out in parts.
    ...taskTitleParts(task),
    manager_uid: task.manager_uid,
    ...(task.description !== undefined ? { description: task.description } : {}),
    version: task.version,
  };
}

/** The task as the API returns it, with the update requests hiring made (oldest first). */
export function taskView(task: Task, updateRequests: UpdateRequest[]): Record<string, unknown> {
  return {
    task_uid: task.task_uid,
    title: task.title,
    knowledge_area: task.knowledge_area,
    manager_uid: task.manager_uid,
    ...(task.description !== undefined ? { description: task.description } : {}),
    version: task.version,
    needs_update: task.needs_update,
    created_at: task.created_at,
    updated_at: task.updated_at,
    update_requests: [...updateRequests]
      .sort((a, b) => a.requested_at.localeCompare(b.requested_at))
      .map(({ request_id, reason, requested_at, received_at }) => ({ request_id, reason, requested_at, received_at })),
  };
}
