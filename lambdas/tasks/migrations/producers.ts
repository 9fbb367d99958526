import { buildEvent, type AnyEvent } from '../../shared/registry/index.js';
import { linkBehaviour } from '../../shared/migrations/plan.js';
import type { MigrationSteps } from '../../shared/migrations/steps.js';
import { joinTaskTitle, taskTitleParts } from '../../shared/migrations/taskTitle.js';
import { changeTask } from '../domain/task.js';
import type { UpdateTaskBody } from '../types.js';
import type { Assignment, Manager, Task } from '../keys.js';

const meta = (now: Date) => ({ producer: 'tasks' as const, producedAt: now });

/**
 * The `ManagerUpdated` event of a manager change at `steps`: none before manager-stream step 3
 * (bonus still asks get_manager), v0 (name, surname) until manager-login step 5, then v1 (login).
 */
export function managerEvents(manager: Manager, steps: MigrationSteps, now: Date): AnyEvent[] {
  const version = linkBehaviour(steps).managerUpdatedVersion;
  if (version === undefined) return [];
  const common = { manager_uid: manager.manager_uid, payout_account: manager.payout_account, version: manager.version };
  if (version === '0') return [buildEvent('ManagerUpdated', '0', { ...common, name: manager.name, surname: manager.surname }, meta(now))];
  return [buildEvent('ManagerUpdated', '1', { ...common, login: manager.login }, meta(now))];
}

/**
 * The `TaskCreated` event at `steps`: v0 with `task_title` = `"[Knowledge Area] Title"` (joined
 * only when the title lacks the prefix, so a title never carries it twice) until task-created-v1 step 7,
 * then v1 with the parts.
 */
export function taskCreatedEvent(task: Task, steps: MigrationSteps, now: Date): AnyEvent {
  const parts = taskTitleParts(task);
  if (linkBehaviour(steps).taskCreatedVersion === '0') {
    return buildEvent('TaskCreated', '0', { task_uid: task.task_uid, task_title: joinTaskTitle(parts.knowledge_area, parts.title), manager_uid: task.manager_uid }, meta(now));
  }
  return buildEvent('TaskCreated', '1', { task_uid: task.task_uid, knowledge_area: parts.knowledge_area, title: parts.title, manager_uid: task.manager_uid }, meta(now));
}

/** `TaskUpdated` v0 (task-updated steps 0..1): the task's full current state and version. */
export function taskUpdatedEvent(task: Task, now: Date): AnyEvent {
  const parts = taskTitleParts(task);
  return buildEvent(
    'TaskUpdated',
    '0',
    {
      task_uid: task.task_uid,
      title: parts.title,
      knowledge_area: parts.knowledge_area,
      manager_uid: task.manager_uid,
      ...(task.description ? { description: task.description } : {}),
      version: task.version,
    },
    meta(now),
  );
}

/** `TaskAssigned` v0 (task-assigned steps 0..1); `assignment_id` is hiring's idempotency key. */
export function taskAssignedEvent(assignment: Assignment, now: Date): AnyEvent {
  const { task_uid, candidate_uid, assignment_id, assigned_at } = assignment;
  return buildEvent('TaskAssigned', '0', { task_uid, candidate_uid, assignment_id, assigned_at }, meta(now));
}

/**
 * The task as tasks stores it at `steps` of task-created-v1: before step 1 only `title`
 * (`"[Knowledge Area] Title"`), at step 1 with an empty `knowledge_area` column, from step 2 the
 * parts apart.
 */
export function storedTask(task: Task, steps: MigrationSteps): Task {
  const behaviour = linkBehaviour(steps);
  if (behaviour.tasksStoresKnowledgeArea) return { ...task, ...taskTitleParts(task) };
  const parts = taskTitleParts(task);
  const stored: Task = { ...task, title: joinTaskTitle(parts.knowledge_area, parts.title), knowledge_area: '' };
  if (!behaviour.knowledgeAreaColumn) delete (stored as Partial<Task>).knowledge_area;
  return stored;
}

/** {@link changeTask} on the task's parts (a stored `"[Area] Title"` is split first), stored as `steps` want. */
export function applyTaskChange(current: Task, changes: UpdateTaskBody, now: Date, steps: MigrationSteps): Task {
  return storedTask(changeTask({ ...current, ...taskTitleParts(current) }, changes, now), steps);
}
