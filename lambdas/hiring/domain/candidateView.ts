import { managerDisplayName } from './managerDisplayName.js';
import type { AssignmentItem, CandidateItem, ManagerItem, TaskItem } from '../keys.js';

/** One task of a candidate, as `GET /candidates/{candidate_uid}` answers it. */
export interface CandidateTaskView {
  task_uid: string;
  /** `null` while hiring has no copy of the task yet (update_task not received). */
  title: string | null;
  knowledge_area: string | null;
  /** `null` while hiring has no copy of the task yet. */
  manager: { manager_uid: string; display_name: string | null } | null;
  assigned_at: string;
  solved_at?: string;
}

export interface CandidateView {
  candidate_uid: string;
  name: string;
  surname: string;
  tasks: CandidateTaskView[];
}

/**
 * Joins a candidate with its assignments and hiring's copies of the tasks and managers.
 * Tasks are listed oldest assignment first (then by task_uid).
 *
 * @example
 * ```ts
 * const view = candidateView(candidate, assignments, new Map([[task.task_uid, task]]), managers);
 * ```
 */
export function candidateView(
  candidate: CandidateItem,
  assignments: readonly AssignmentItem[],
  tasks: ReadonlyMap<string, TaskItem>,
  managers: ReadonlyMap<string, ManagerItem>,
  displayName: (manager: ManagerItem | undefined) => string | null = managerDisplayName,
): CandidateView {
  const sorted = [...assignments].sort(
    (a, b) => a.assigned_at.localeCompare(b.assigned_at) || a.task_uid.localeCompare(b.task_uid),
  );
  return {
    candidate_uid: candidate.candidate_uid,
    name: candidate.name,
    surname: candidate.surname,
    tasks: sorted.map((assignment) => {
      const task = tasks.get(assignment.task_uid);
      const view: CandidateTaskView = {
        task_uid: assignment.task_uid,
        title: task?.title ?? null,
        knowledge_area: task?.knowledge_area ?? null,
        manager: task
          ? { manager_uid: task.manager_uid, display_name: displayName(managers.get(task.manager_uid)) }
          : null,
        assigned_at: assignment.assigned_at,
      };
      if (assignment.solved_at !== undefined) view.solved_at = assignment.solved_at;
      return view;
    }),
  };
}
