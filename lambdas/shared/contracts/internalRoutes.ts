/**
 * Bodies of the internal routes one service calls on another (SigV4-signed, recorded as pending
 * calls until delivered). The caller builds them with these types; the callee's request schema
 * (`lambdas/<callee>/requests/*.json`) validates them. Each carries what makes it idempotent on
 * the callee: a version (newest wins) or an id.
 */

/**
 * A test task's shared state: what tasks owns and hiring copies (tasks' stored task and hiring's copy
 * both extend it).
 */
export interface TaskState {
  task_uid: string;
  title: string;
  knowledge_area: string;
  manager_uid: string;
  description?: string;
  /** Monotonic per task (starts at 1, +1 on every change): hiring keeps the newest whatever the arrival order. */
  version: number;
}

/** hiring `PUT /internal/tasks/{task_uid}` (update_task), called by tasks: the task's full state. */
export type UpdateTaskRequest = TaskState;

/** hiring `POST /internal/assignments` (assign_task), called by tasks. */
export interface AssignTaskRequest {
  /** Idempotency: the same assignment delivered twice is applied once. */
  assignment_id: string;
  task_uid: string;
  candidate_uid: string;
  assigned_at: string;
}

/** bonus `PUT /internal/tasks/{task_uid}/rating`, called by hiring. */
export interface RatingRequest {
  task_uid: string;
  rating: number;
  /** Counts up from 1 per task: bonus keeps every version (its rating history). */
  version: number;
  /** When the task was rated: a solution earns the rating in force when it was solved. */
  rated_at: string;
}
