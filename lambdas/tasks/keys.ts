import type { TaskState } from '../shared/contracts/internalRoutes.js';

/**
 * Item keys and item types of the tasks table (single-table design: string `pk`/`sk`).
 *
 * | item | pk | sk |
 * |---|---|---|
 * | manager | `MANAGER#<manager_uid>` | `MANAGER` |
 * | task | `TASK#<task_uid>` | `TASK` |
 * | assignment | `TASK#<task_uid>` | `ASSIGNMENT#<candidate_uid>` |
 * | update request | `TASK#<task_uid>` | `UPDATE_REQUEST#<request_id>` |
 * | candidate | `CANDIDATE#<candidate_uid>` | `CANDIDATE` |
 *
 * A task, its assignments and its update requests share a partition, so one Query reads them all.
 * The shared kits add their own rows to the same table (`OUTBOX#`, `CALL#`, `PROCESSED#`, `IDEMPOTENCY#`).
 *
 * @example
 * ```ts
 * await doc.send(new GetCommand({ TableName, Key: taskKey(task_uid) }));
 * ```
 */
export interface ItemKey {
  pk: string;
  sk: string;
}

export const MANAGER_SK = 'MANAGER';
export const TASK_SK = 'TASK';
export const CANDIDATE_SK = 'CANDIDATE';
export const ASSIGNMENT_SK_PREFIX = 'ASSIGNMENT#';
export const UPDATE_REQUEST_SK_PREFIX = 'UPDATE_REQUEST#';

export const managerKey = (managerUid: string): ItemKey => ({ pk: `MANAGER#${managerUid}`, sk: MANAGER_SK });
export const taskKey = (taskUid: string): ItemKey => ({ pk: taskPk(taskUid), sk: TASK_SK });
export const taskPk = (taskUid: string): string => `TASK#${taskUid}`;
export const candidateKey = (candidateUid: string): ItemKey => ({ pk: `CANDIDATE#${candidateUid}`, sk: CANDIDATE_SK });
export const assignmentKey = (taskUid: string, candidateUid: string): ItemKey => ({
  pk: taskPk(taskUid),
  sk: `${ASSIGNMENT_SK_PREFIX}${candidateUid}`,
});
export const updateRequestKey = (taskUid: string, requestId: string): ItemKey => ({
  pk: taskPk(taskUid),
  sk: `${UPDATE_REQUEST_SK_PREFIX}${requestId}`,
});

/** Items of the tasks table, without their keys (see `store.ts`, which adds and strips them). */

/** A task manager (`MANAGER#<uid>` / `MANAGER`). */
export interface Manager {
  manager_uid: string;
  name: string;
  surname: string;
  login: string;
  payout_account: string;
  /** Starts at 1, +1 on every change; carried by `ManagerUpdated` for last-write-wins. */
  version: number;
  created_at: string;
  updated_at: string;
}

/** A test task (`TASK#<uid>` / `TASK`); its `version` is pushed to hiring with every update. */
export interface Task extends TaskState {
  /** Set by a `TaskUpdateRequested`, cleared by the next update of the task. */
  needs_update: boolean;
  created_at: string;
  updated_at: string;
}

/** A candidate as tasks knows it, from `NewCandidate` (`CANDIDATE#<uid>` / `CANDIDATE`). */
export interface Candidate {
  candidate_uid: string;
  name: string;
  surname: string;
  registered_at: string;
}

/** A task assigned to a candidate (`TASK#<task_uid>` / `ASSIGNMENT#<candidate_uid>`). */
export interface Assignment {
  assignment_id: string;
  task_uid: string;
  candidate_uid: string;
  assigned_at: string;
}

/** A request from hiring to update a task (`TASK#<task_uid>` / `UPDATE_REQUEST#<request_id>`). */
export interface UpdateRequest {
  request_id: string;
  task_uid: string;
  reason: string;
  requested_at: string;
  received_at: string;
}
