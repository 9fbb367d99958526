import type { RouteDeclaration } from '../http/routeTable.js';
import type { MigrationId, MigrationSteps } from './steps.js';

/**
 * What exists and who does what at a given set of migration steps: the single source both the CDK
 * stacks (queues, rules, routes, schemas, env) and the Lambdas (producers, consumers, calls) read,
 * so the infrastructure and the code cannot disagree about a step.
 *
 * MIGRATIONS.md lists the steps per link and what each one changes.
 */

/** An event name and the versions of it that are live / handled. */
export interface EventVersions {
  readonly name: string;
  readonly versions: readonly string[];
}

/** ManagerUpdated versions a consumer handles during the login migration (v0 -> v1). */
export function managerUpdatedVersions(steps: MigrationSteps): string[] {
  if (steps.managerLogin < 4) return ['0']; // 4: consumers learn v1
  if (steps.managerLogin < 8) return ['0', '1']; // 8: v0 consumer code removed
  return ['1'];
}

/** TaskCreated versions the bonus consumer handles (v0 -> v1). */
export function taskCreatedVersions(steps: MigrationSteps): string[] {
  if (steps.taskCreatedV1 < 6) return ['0']; // 6: consumer learns v1
  if (steps.taskCreatedV1 < 9) return ['0', '1']; // 9: v0 consumer code removed
  return ['1'];
}

/** The events each consumer subscribes to (one EventConsumer per consuming service and producer). */
export function consumedEvents(steps: MigrationSteps) {
  const link = linkBehaviour(steps);
  const hiringFromTasks: EventVersions[] = [{ name: 'ManagerUpdated', versions: managerUpdatedVersions(steps) }];
  if (link.hiringConsumesTaskUpdated) hiringFromTasks.push({ name: 'TaskUpdated', versions: ['0'] });
  if (link.hiringConsumesTaskAssigned) hiringFromTasks.push({ name: 'TaskAssigned', versions: ['0'] });

  const bonusFromTasks: EventVersions[] = [];
  if (link.bonusConsumesManagerUpdated) bonusFromTasks.push({ name: 'ManagerUpdated', versions: managerUpdatedVersions(steps) });
  bonusFromTasks.push({ name: 'TaskCreated', versions: taskCreatedVersions(steps) });

  const tasksFromHiring: EventVersions[] = [{ name: 'NewCandidate', versions: ['0'] }];
  if (link.tasksConsumesUpdateRequested) tasksFromHiring.push({ name: 'TaskUpdateRequested', versions: ['0'] });

  return {
    hiringFromTasks,
    bonusFromTasks,
    bonusFromHiring: [{ name: 'TaskSolved', versions: ['0'] }] as EventVersions[],
    tasksFromHiring,
  };
}

/** The schema versions the EventBridge Schema Registry holds (each added and removed at its link's steps). */
export function liveSchemas(steps: MigrationSteps): EventVersions[] {
  const live: EventVersions[] = [
    { name: 'NewCandidate', versions: ['0'] },
    { name: 'TaskSolved', versions: ['0'] },
  ];
  const manager = [
    ...(steps.managerStream >= 1 && steps.managerLogin < 9 ? ['0'] : []), // stream 1: add; login 9: remove v0
    ...(steps.managerLogin >= 3 ? ['1'] : []), // login 3: add v1
  ];
  if (manager.length > 0) live.push({ name: 'ManagerUpdated', versions: manager });
  if (steps.taskUpdated < 5) live.push({ name: 'TaskUpdated', versions: ['0'] }); // 5: remove
  if (steps.taskUpdateRequest >= 1) live.push({ name: 'TaskUpdateRequested', versions: ['0'] }); // 1: add
  if (steps.taskAssigned < 5) live.push({ name: 'TaskAssigned', versions: ['0'] }); // 5: remove
  const created = [...(steps.taskCreatedV1 < 10 ? ['0'] : []), ...(steps.taskCreatedV1 >= 5 ? ['1'] : [])];
  live.push({ name: 'TaskCreated', versions: created });
  return live;
}

/** True when `eventName` v`version` is in the registry at `steps`. */
export function isSchemaLive(steps: MigrationSteps, eventName: string, version: string): boolean {
  return liveSchemas(steps).some((s) => s.name === eventName && s.versions.includes(version));
}

/** The legacy get_manager route of tasks, called by bonus before manager-stream step 4, removed at 5. */
export const GET_MANAGER_ROUTE = { method: 'GET', path: '/internal/managers/{manager_uid}' } as const satisfies RouteDeclaration;
/** The legacy update_task route of tasks (hiring -> tasks "task needs update"), removed at task-update-request step 6. */
export const REQUEST_UPDATE_ROUTE = {
  method: 'POST',
  path: '/internal/tasks/{task_uid}/update-requests',
  body: '../migrations/requests/update-request.json',
} as const satisfies RouteDeclaration;
/** hiring's update_task (tasks -> hiring push), added at task-updated step 1. */
export const HIRING_UPDATE_TASK_ROUTE = 'PUT /internal/tasks/{task_uid}';
/** hiring's assign_task, added at task-assigned step 1. */
export const HIRING_ASSIGN_TASK_ROUTE = 'POST /internal/assignments';

/** hiring's routes at `steps`: the final list without the routes not added yet. */
export function hiringRoutes<R extends { method: string; path: string }>(routes: readonly R[], steps: MigrationSteps): R[] {
  return routes.filter((route) => {
    const name = `${route.method} ${route.path}`;
    if (name === HIRING_UPDATE_TASK_ROUTE) return steps.taskUpdated >= 1;
    if (name === HIRING_ASSIGN_TASK_ROUTE) return steps.taskAssigned >= 1;
    return true;
  });
}

/** tasks' extra (legacy) routes at `steps`. */
export function tasksLegacyRoutes(steps: MigrationSteps): (typeof GET_MANAGER_ROUTE | typeof REQUEST_UPDATE_ROUTE)[] {
  return [...(steps.managerStream < 5 ? [GET_MANAGER_ROUTE] : []), ...(linkBehaviour(steps).tasksServesRequestUpdate ? [REQUEST_UPDATE_ROUTE] : [])];
}

/** Who produces and who calls what at `steps`. */
export function linkBehaviour(steps: MigrationSteps) {
  const tasksPublishesManagerUpdated = steps.managerStream >= 3;
  return {
    /** tasks publishes ManagerUpdated from manager-stream 3 (before, there is no manager stream to migrate) ... */
    tasksPublishesManagerUpdated,
    /** ... v0 until manager-login 5. */
    managerUpdatedVersion: !tasksPublishesManagerUpdated ? undefined : steps.managerLogin < 5 ? ('0' as const) : ('1' as const),
    /** bonus's ManagerUpdated queue and consumer exist from manager-stream 2. */
    bonusConsumesManagerUpdated: steps.managerStream >= 2,
    /** bonus asks tasks' get_manager for the manager of a TaskSolved (until manager-stream 4). */
    bonusCallsGetManager: steps.managerStream < 4,
    /** tasks publishes TaskUpdated (until task-updated 2) ... */
    tasksPublishesTaskUpdated: steps.taskUpdated < 2,
    /** ... and calls hiring's update_task from step 2. */
    tasksCallsUpdateTask: steps.taskUpdated >= 2,
    /** tasks publishes TaskAssigned until task-assigned 2, then calls assign_task. */
    tasksPublishesTaskAssigned: steps.taskAssigned < 2,
    tasksCallsAssignTask: steps.taskAssigned >= 2,
    /** hiring's TaskUpdated and TaskAssigned queues and consumers are removed at step 4 of their links. */
    hiringConsumesTaskUpdated: steps.taskUpdated < 4,
    hiringConsumesTaskAssigned: steps.taskAssigned < 4,
    /** hiring calls tasks' update_task (update request) until step 5 ... */
    hiringCallsRequestUpdate: steps.taskUpdateRequest < 5,
    /** ... and publishes TaskUpdateRequested from step 3. */
    hiringPublishesUpdateRequested: steps.taskUpdateRequest >= 3,
    /**
     * tasks serves the legacy update_task route until step 6: hiring stops calling it at 5, but its
     * deferred calls of earlier steps may still be delivered (the calls kit keeps the target).
     */
    tasksServesRequestUpdate: steps.taskUpdateRequest < 6,
    /** tasks' TaskUpdateRequested queue and consumer exist from step 2 ... */
    tasksConsumesUpdateRequested: steps.taskUpdateRequest >= 2,
    /** ... observing only (2, 3); it applies the request from 4. */
    tasksAppliesUpdateRequested: steps.taskUpdateRequest >= 4,
    /** TaskCreated version tasks publishes: v0 until task-created-v1 step 7. */
    taskCreatedVersion: steps.taskCreatedV1 < 7 ? ('0' as const) : ('1' as const),
    /** tasks stores knowledge_area apart from the title from step 2 (before: "[Area] Title" in title). */
    tasksStoresKnowledgeArea: steps.taskCreatedV1 >= 2,
    /** tasks and bonus have the knowledge_area attribute (empty string until split) from step 1. */
    knowledgeAreaColumn: steps.taskCreatedV1 >= 1,
    /** bonus splits a v0 `task_title` into knowledge_area + title from step 3 (before: kept whole). */
    bonusSplitsTaskTitle: steps.taskCreatedV1 >= 3,
    /**
     * hiring's copy of a manager has a `login` column (empty until a v1 event or the step-7 copy
     * fills it) and name/surname become optional, from manager-login step 1.
     */
    hiringManagerLoginColumn: steps.managerLogin >= 1,
    /**
     * How hiring shows a manager: name + surname before step 2; name + surname falling back to the
     * login when they are missing (2..7); from step 8 the login only, never name + surname.
     */
    managerDisplay: steps.managerLogin < 2 ? ('name' as const) : steps.managerLogin < 8 ? ('name-then-login' as const) : ('login' as const),
  };
}

/**
 * The events each producing service publishes at `steps` (its outbox publisher puts them on the bus):
 * what {@link linkBehaviour} says about producers, as event versions. Read by the catalog
 * (`npm run docs`); the producers themselves read `linkBehaviour`.
 */
export function producedEvents(steps: MigrationSteps): { hiring: EventVersions[]; tasks: EventVersions[] } {
  const link = linkBehaviour(steps);
  const hiring: EventVersions[] = [
    { name: 'NewCandidate', versions: ['0'] },
    { name: 'TaskSolved', versions: ['0'] },
  ];
  if (link.hiringPublishesUpdateRequested) hiring.push({ name: 'TaskUpdateRequested', versions: ['0'] });
  const tasks: EventVersions[] = [];
  if (link.managerUpdatedVersion !== undefined) tasks.push({ name: 'ManagerUpdated', versions: [link.managerUpdatedVersion] });
  if (link.tasksPublishesTaskUpdated) tasks.push({ name: 'TaskUpdated', versions: ['0'] });
  if (link.tasksPublishesTaskAssigned) tasks.push({ name: 'TaskAssigned', versions: ['0'] });
  tasks.push({ name: 'TaskCreated', versions: [link.taskCreatedVersion] });
  return { hiring, tasks };
}

/** Which links change the behaviour of each function (its `MIGRATION_*_STEP` variables). */
export const LINKS_OF: Record<'tasksApi' | 'tasksConsumer' | 'hiringApi' | 'hiringConsumer' | 'bonusConsumer', readonly MigrationId[]> = {
  tasksApi: ['managerStream', 'managerLogin', 'taskUpdated', 'taskAssigned', 'taskCreatedV1', 'taskUpdateRequest'],
  tasksConsumer: ['taskUpdateRequest'],
  hiringApi: ['taskUpdated', 'taskAssigned', 'taskUpdateRequest', 'managerLogin'],
  hiringConsumer: ['managerLogin', 'taskUpdated', 'taskAssigned'],
  bonusConsumer: ['managerStream', 'managerLogin', 'taskCreatedV1'],
};
