import type { TaskState } from '../shared/contracts/internalRoutes.js';

/**
 * Keys and item types of the hiring table (single-table design, string `pk`/`sk`).
 *
 * | item        | pk                   | sk                            |
 * |-------------|----------------------|-------------------------------|
 * | candidate   | `CANDIDATE#<uid>`    | `PROFILE`                     |
 * | assignment  | `CANDIDATE#<uid>`    | `ASSIGNMENT#<task_uid>`       |
 * | task copy   | `TASK#<uid>`         | `TASK`                        |
 * | rating      | `TASK#<uid>`         | `RATING`                      |
 * | solution    | `TASK#<uid>`         | `SOLUTION#<candidate_uid>`    |
 * | update req. | `TASK#<uid>`         | `UPDATE_REQUEST#<request_id>` |
 * | manager     | `MANAGER#<uid>`      | `MANAGER`                     |
 * | assign dedup| `ASSIGNMENT_ID#<id>` | `ASSIGNMENT_ID`               |
 *
 * Outbox, processed-event markers, idempotency records and pending calls use the kits' own keys
 * (`OUTBOX#…`, `PROCESSED#…`, `IDEMPOTENCY#…`, `CALL#…`) in the same table.
 *
 * @example
 * ```ts
 * await doc.send(new GetCommand({ TableName, Key: candidateKey(uid) }));
 * ```
 */
export interface ItemKey {
  pk: string;
  sk: string;
}

export const CANDIDATE_PREFIX = 'CANDIDATE#';
export const ASSIGNMENT_SK_PREFIX = 'ASSIGNMENT#';
export const SOLUTION_SK_PREFIX = 'SOLUTION#';

export const candidateKey = (candidateUid: string): ItemKey => ({ pk: `${CANDIDATE_PREFIX}${candidateUid}`, sk: 'PROFILE' });

export const assignmentKey = (candidateUid: string, taskUid: string): ItemKey => ({
  pk: `${CANDIDATE_PREFIX}${candidateUid}`,
  sk: `${ASSIGNMENT_SK_PREFIX}${taskUid}`,
});

export const taskKey = (taskUid: string): ItemKey => ({ pk: `TASK#${taskUid}`, sk: 'TASK' });

export const ratingKey = (taskUid: string): ItemKey => ({ pk: `TASK#${taskUid}`, sk: 'RATING' });

export const solutionKey = (taskUid: string, candidateUid: string): ItemKey => ({
  pk: `TASK#${taskUid}`,
  sk: `${SOLUTION_SK_PREFIX}${candidateUid}`,
});

export const updateRequestKey = (taskUid: string, requestId: string): ItemKey => ({
  pk: `TASK#${taskUid}`,
  sk: `UPDATE_REQUEST#${requestId}`,
});

export const managerKey = (managerUid: string): ItemKey => ({ pk: `MANAGER#${managerUid}`, sk: 'MANAGER' });

/** Marker making `assign_task` idempotent by `assignment_id`, whatever the Idempotency-Key. */
export const assignmentIdKey = (assignmentId: string): ItemKey => ({ pk: `ASSIGNMENT_ID#${assignmentId}`, sk: 'ASSIGNMENT_ID' });

/** Items of the hiring table, as stored under the keys above. */

export interface CandidateItem {
  pk: string;
  sk: string;
  item_type: 'candidate';
  candidate_uid: string;
  name: string;
  surname: string;
  created_at: string;
}

export interface AssignmentItem {
  pk: string;
  sk: string;
  item_type: 'assignment';
  assignment_id: string;
  candidate_uid: string;
  task_uid: string;
  assigned_at: string;
  /** Set, once, when the candidate solves the task. */
  solved_at?: string;
}

/** Hiring's copy of a test task, kept by `update_task` (last-write-wins by `version`). */
export interface TaskItem extends TaskState {
  pk: string;
  sk: string;
  item_type: 'task';
  updated_at: string;
}

export interface RatingItem {
  pk: string;
  sk: string;
  item_type: 'rating';
  task_uid: string;
  rating: number;
  version: number;
  rated_at: string;
}

export interface SolutionItem {
  pk: string;
  sk: string;
  item_type: 'solution';
  task_uid: string;
  candidate_uid: string;
  /** The task's manager when the candidate solved it. */
  task_manager_uid: string;
  solved_at: string;
}

/**
 * Hiring's copy of a task manager (from `ManagerUpdated`). Since v1 only `login` arrives;
 * `name`/`surname` are legacy attributes of managers copied before the login migration.
 */
export interface ManagerItem {
  pk: string;
  sk: string;
  item_type: 'manager';
  manager_uid: string;
  login?: string;
  name?: string;
  surname?: string;
  version: number;
}
