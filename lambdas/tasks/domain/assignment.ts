import type { AssignTaskRequest } from '../../shared/contracts/internalRoutes.js';
import type { Assignment } from '../keys.js';

/** The body of hiring's assign_task; an index signature so it can travel as a pending call's body. */
export type HiringAssignmentBody = AssignTaskRequest & Record<string, unknown>;

/**
 * A new assignment of a task to a candidate.
 *
 * @example
 * ```ts
 * const assignment = newAssignment(randomUUID(), task_uid, candidate_uid, new Date());
 * ```
 */
export function newAssignment(assignmentId: string, taskUid: string, candidateUid: string, now: Date): Assignment {
  return { assignment_id: assignmentId, task_uid: taskUid, candidate_uid: candidateUid, assigned_at: now.toISOString() };
}

/** What hiring's assign_task receives. */
export function hiringAssignmentBody(assignment: Assignment): HiringAssignmentBody {
  const { assignment_id, task_uid, candidate_uid, assigned_at } = assignment;
  return { assignment_id, task_uid, candidate_uid, assigned_at };
}

/** The assignment as the API returns it. */
export function assignmentView(assignment: Assignment): Pick<Assignment, 'assignment_id' | 'task_uid' | 'candidate_uid'> {
  return { assignment_id: assignment.assignment_id, task_uid: assignment.task_uid, candidate_uid: assignment.candidate_uid };
}
