import { ROUTES as BONUS_ROUTES } from '../../lambdas/bonus/routes.js';
import { ROUTES as HIRING_ROUTES } from '../../lambdas/hiring/routes.js';
import {
  consumedEvents,
  GET_MANAGER_ROUTE,
  HIRING_ASSIGN_TASK_ROUTE,
  HIRING_UPDATE_TASK_ROUTE,
  hiringRoutes,
  linkBehaviour,
  liveSchemas,
  producedEvents,
  REQUEST_UPDATE_ROUTE,
  tasksLegacyRoutes,
} from '../../lambdas/shared/migrations/plan.js';
import { FINAL_STEPS, MIGRATION_IDS, MIGRATIONS, stepConflicts, type MigrationId, type MigrationSteps } from '../../lambdas/shared/migrations/steps.js';
import { ROUTES as TASKS_ROUTES } from '../../lambdas/tasks/routes.js';
import type { LinkNotes } from './migrationNotes.js';
import type { LinkTimeline, StateItem, TimelineStep } from './types.js';

type Behaviour = ReturnType<typeof linkBehaviour>;

const call = (text: string): StateItem => ({ kind: 'call', text });
const behaviour = (text: string): StateItem => ({ kind: 'behaviour', text });

/**
 * How each of the plan's behaviour flags reads on the page. Typed over every flag, so a flag added
 * to `linkBehaviour` does not compile until it is described here (or said to be covered elsewhere:
 * the producer flags are the plan's `producedEvents`, the consumer flags its `consumedEvents`, the
 * legacy route flag its `tasksLegacyRoutes`).
 */
const BEHAVIOUR: { [K in keyof Behaviour]: (value: Behaviour[K], steps: MigrationSteps) => StateItem | undefined } = {
  tasksPublishesManagerUpdated: () => undefined,
  managerUpdatedVersion: () => undefined,
  bonusConsumesManagerUpdated: () => undefined,
  hiringConsumesTaskUpdated: () => undefined,
  hiringConsumesTaskAssigned: () => undefined,
  tasksConsumesUpdateRequested: () => undefined,
  tasksServesRequestUpdate: () => undefined,
  tasksPublishesTaskUpdated: () => undefined,
  tasksPublishesTaskAssigned: () => undefined,
  hiringPublishesUpdateRequested: () => undefined,
  taskCreatedVersion: () => undefined,
  bonusCallsGetManager: (on) => (on ? call(`bonus calls tasks ${GET_MANAGER_ROUTE.method} ${GET_MANAGER_ROUTE.path} (get_manager) for each TaskSolved`) : undefined),
  tasksCallsUpdateTask: (on) => (on ? call(`tasks calls hiring ${HIRING_UPDATE_TASK_ROUTE} (update_task) on every task change`) : undefined),
  tasksCallsAssignTask: (on) => (on ? call(`tasks calls hiring ${HIRING_ASSIGN_TASK_ROUTE} (assign_task) on every assignment`) : undefined),
  hiringCallsRequestUpdate: (on) => (on ? call(`hiring calls tasks ${REQUEST_UPDATE_ROUTE.method} ${REQUEST_UPDATE_ROUTE.path} (update_task, legacy)`) : undefined),
  tasksAppliesUpdateRequested: (on, steps) =>
    consumedEvents(steps).tasksFromHiring.some((e) => e.name === 'TaskUpdateRequested')
      ? behaviour(on ? "tasks' TaskUpdateRequested consumer records the requests" : "tasks' TaskUpdateRequested consumer only observes (logs)")
      : undefined,
  knowledgeAreaColumn: (on) => (on ? behaviour('tasks and bonus rows have a knowledge_area attribute') : undefined),
  tasksStoresKnowledgeArea: (on) => behaviour(on ? 'tasks stores knowledge_area apart from the title' : 'tasks stores "[Area] Title" in title'),
  bonusSplitsTaskTitle: (on) => (on ? behaviour("bonus splits a v0 task_title into knowledge_area and title") : behaviour('bonus stores a v0 task_title whole')),
  hiringManagerLoginColumn: (on) => (on ? behaviour("hiring's manager copies have a login attribute (empty until known); name and surname are optional") : undefined),
  managerDisplay: (display) =>
    behaviour(`hiring shows a manager by ${{ name: 'name and surname', 'name-then-login': 'name and surname, else the login', login: 'login' }[display]}`),
};

/** `bonusFromTasks` -> bonus consumes ... from tasks. */
function consumerItems(steps: MigrationSteps): StateItem[] {
  return Object.entries(consumedEvents(steps)).flatMap(([queue, events]) => {
    const [, consumer, producer] = /^(\w+?)From(\w+)$/.exec(queue) ?? [];
    if (!consumer || !producer) throw new Error(`the plan's consumer ${queue} is not named <consumer>From<Producer>`);
    return events.flatMap(({ name, versions }) =>
      versions.map((v): StateItem => ({ kind: 'consumer', text: `${consumer} consumes ${name}.v${v} from ${producer.toLowerCase()}`, event: `${name}.v${v}` })),
    );
  });
}

/** Everything the plan says exists or happens at `steps`, as comparable items. */
export function stateAt(steps: MigrationSteps): StateItem[] {
  const routes = [
    ...hiringRoutes(HIRING_ROUTES, steps).map((r) => ['hiring', r] as const),
    ...[...TASKS_ROUTES, ...tasksLegacyRoutes(steps)].map((r) => ['tasks', r] as const),
    ...BONUS_ROUTES.map((r) => ['bonus', r] as const),
  ];
  const link = linkBehaviour(steps);
  return [
    ...liveSchemas(steps).flatMap(({ name, versions }) =>
      versions.map((v): StateItem => ({ kind: 'schema', text: `${name}.v${v} in the Schema Registry`, event: `${name}.v${v}` })),
    ),
    ...Object.entries(producedEvents(steps)).flatMap(([service, events]) =>
      events.flatMap(({ name, versions }) => versions.map((v): StateItem => ({ kind: 'producer', text: `${service} publishes ${name}.v${v}`, event: `${name}.v${v}` }))),
    ),
    ...consumerItems(steps),
    ...routes.map(([service, r]): StateItem => ({ kind: 'route', text: `${service} ${r.method} ${r.path}` })),
    ...(Object.keys(BEHAVIOUR) as Array<keyof Behaviour>).flatMap((flag) => {
      const describe = BEHAVIOUR[flag] as (value: Behaviour[typeof flag], steps: MigrationSteps) => StateItem | undefined;
      return describe(link[flag], steps) ?? [];
    }),
  ];
}

/**
 * The other links' steps while `id` is walked: their final steps, except those a cross-link
 * constraint holds back at 0 for some step of the walk (manager-login while manager-stream < 3).
 */
export function walkOthers(id: MigrationId): MigrationSteps {
  const others: Record<MigrationId, number> = { ...FINAL_STEPS };
  for (let step = 0; step <= MIGRATIONS[id].last; step += 1) {
    for (const other of MIGRATION_IDS) {
      const at = { ...others, [id]: step };
      if (other === id || stepConflicts(at).length === 0) continue;
      if (stepConflicts({ ...at, [other]: 0 }).length < stepConflicts(at).length) others[other] = 0;
    }
    const conflicts = stepConflicts({ ...others, [id]: step });
    if (conflicts.length > 0) throw new Error(`no consistent walk of ${MIGRATIONS[id].key} at step ${step}: ${conflicts.join('; ')}`);
  }
  return others;
}

const keyOf = (item: StateItem) => `${item.kind}:${item.text}`;

/**
 * The six link migrations step by step: per step what it adds and removes (schemas, producers,
 * consumer rules, routes, calls, behaviour), computed from the pure migration plan, with
 * MIGRATIONS.md's note for the step. Throws when MIGRATIONS.md misses a link or a step.
 */
export function buildLinkTimelines(notes: ReadonlyMap<string, LinkNotes>): LinkTimeline[] {
  return MIGRATION_IDS.map((id): LinkTimeline => {
    const { key, last } = MIGRATIONS[id];
    const note = notes.get(key);
    if (!note) throw new Error(`MIGRATIONS.md has no section for ${key}`);
    const others = walkOthers(id);
    const states = Array.from({ length: last + 1 }, (_, step) => stateAt({ ...others, [id]: step }));
    const steps = states.map((state, step): TimelineStep => {
      const text = note.steps.get(step);
      if (text === undefined) throw new Error(`MIGRATIONS.md: the table of ${key} has no row for step ${step}`);
      const before = new Set((states[step - 1] ?? state).map(keyOf));
      const now = new Set(state.map(keyOf));
      return {
        step,
        note: text,
        added: state.filter((item) => !before.has(keyOf(item))),
        removed: (states[step - 1] ?? []).filter((item) => !now.has(keyOf(item))),
      };
    });
    const held = Object.fromEntries(MIGRATION_IDS.filter((o) => o !== id).map((o) => [MIGRATIONS[o].key, others[o]]));
    return { id, key, title: note.summary, others: held, start: states[0]!, steps };
  });
}
