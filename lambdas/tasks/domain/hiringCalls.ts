import type { ServiceCall } from '../../shared/calls/index.js';
import { hiringAssignmentBody } from './assignment.js';
import { hiringTaskBody } from './task.js';
import type { Assignment, Task } from '../keys.js';

/**
 * The update_task call to hiring: `PUT /internal/tasks/{task_uid}` with the task's full state and
 * version. Hiring keeps the newest version, so a late or repeated delivery cannot roll it back.
 *
 * @example
 * ```ts
 * const call = updateTaskCall(randomUUID(), task);
 * ```
 */
export function updateTaskCall(callId: string, task: Task): ServiceCall {
  return { call_id: callId, target: 'hiring', method: 'PUT', path: `/internal/tasks/${task.task_uid}`, body: hiringTaskBody(task) };
}

/**
 * The assign_task call to hiring: `POST /internal/assignments`; its `Idempotency-Key` is the call id.
 *
 * @example
 * ```ts
 * const call = assignTaskCall(randomUUID(), assignment);
 * ```
 */
export function assignTaskCall(callId: string, assignment: Assignment): ServiceCall {
  return { call_id: callId, target: 'hiring', method: 'POST', path: '/internal/assignments', body: hiringAssignmentBody(assignment) };
}
