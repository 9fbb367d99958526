import type { TaskState } from '../shared/contracts/internalRoutes.js';

/** Stored items and request bodies of the tasks service. */

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

/** Body of `POST /managers`. */
export interface CreateManagerBody {
  name: string;
  surname: string;
  login: string;
  payout_account: string;
}

/** Body of `PUT /managers/{manager_uid}`: at least one field. */
export type UpdateManagerBody = Partial<CreateManagerBody>;

/** Body of `POST /tasks`. */
export interface CreateTaskBody {
  title: string;
  knowledge_area: string;
  manager_uid: string;
  description?: string;
}

/** Body of `PUT /tasks/{task_uid}`: at least one field. */
export type UpdateTaskBody = Partial<CreateTaskBody>;

/** Body of `POST /tasks/{task_uid}/assignments`. */
export interface CreateAssignmentBody {
  candidate_uid: string;
}
