import type { TaskState } from '../../shared/contracts/internalRoutes.js';

/** Items of the hiring table, as stored (see `../keys.ts` for their keys). */

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
