import { describe, expect, it } from 'vitest';
import { bonusHandlersAt } from '../../lambdas/bonus/migrations/consumerHandlers.js';
import { hiringHandlersAt } from '../../lambdas/hiring/migrations/consumerHandlers.js';
import { managerDisplayFor } from '../../lambdas/hiring/migrations/managerDisplay.js';
import type { ConsumerHandlers } from '../../lambdas/shared/messaging/index.js';
import { consumedEvents } from '../../lambdas/shared/migrations/plan.js';
import { FINAL_STEPS, type MigrationSteps } from '../../lambdas/shared/migrations/steps.js';
import { hasKnowledgeAreaPrefix, joinTaskTitle, splitTaskTitle, taskTitleParts } from '../../lambdas/shared/migrations/taskTitle.js';
import { managerEvents, storedTask, taskCreatedEvent } from '../../lambdas/tasks/migrations/producers.js';
import type { Manager, Task } from '../../lambdas/tasks/keys.js';

const at = (changes: Partial<MigrationSteps>): MigrationSteps => ({ ...FINAL_STEPS, ...changes });
const handled = (handlers: ConsumerHandlers) =>
  Object.entries(handlers)
    .map(([name, versions]) => `${name} v${Object.keys(versions ?? {}).sort().join(',')}`)
    .filter((s) => !s.endsWith(' v'))
    .sort();
const routed = (events: Array<{ name: string; versions: readonly string[] }>) => events.map((e) => `${e.name} v${[...e.versions].sort().join(',')}`).sort();

describe('task titles', () => {
  it('split "[Area] Title" on the first bracket only, and join only when the prefix is missing', () => {
    expect(splitTaskTitle('[Go] FizzBuzz')).toEqual({ knowledge_area: 'Go', title: 'FizzBuzz' });
    expect(splitTaskTitle('  [Data Science]   Clean  ')).toEqual({ knowledge_area: 'Data Science', title: 'Clean' });
    expect(splitTaskTitle('[Go] [Hard] X')).toEqual({ knowledge_area: 'Go', title: '[Hard] X' });
    expect(splitTaskTitle('No prefix')).toEqual({ knowledge_area: '', title: 'No prefix' });
    expect(splitTaskTitle('[] empty')).toEqual({ knowledge_area: '', title: '[] empty' });
    expect(hasKnowledgeAreaPrefix('[Go]')).toBe(false);
    expect(joinTaskTitle('Go', 'FizzBuzz')).toBe('[Go] FizzBuzz');
    expect(joinTaskTitle('Go', '[Go] FizzBuzz')).toBe('[Go] FizzBuzz');
    expect(joinTaskTitle('', 'FizzBuzz')).toBe('FizzBuzz');
    expect(taskTitleParts({ title: '[Go] X', knowledge_area: '' })).toEqual({ knowledge_area: 'Go', title: 'X' });
    expect(taskTitleParts({ title: 'X', knowledge_area: 'Go' })).toEqual({ knowledge_area: 'Go', title: 'X' });
  });
});

describe('tasks producers per step', () => {
  const manager: Manager = { manager_uid: '3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f', name: 'Ada', surname: 'Lovelace', login: 'ada', payout_account: 'ACC', version: 2, created_at: '', updated_at: '' };
  const task: Task = { task_uid: '4f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f', title: 'FizzBuzz', knowledge_area: 'Go', manager_uid: manager.manager_uid, version: 1, needs_update: false, created_at: '', updated_at: '' };
  const now = new Date('2026-01-01T00:00:00Z');

  it('ManagerUpdated: none before manager-stream 3, v0 until manager-login 5, then v1', () => {
    expect(managerEvents(manager, at({ managerStream: 2, managerLogin: 0 }), now)).toEqual([]);
    const [v0] = managerEvents(manager, at({ managerStream: 3, managerLogin: 4 }), now);
    expect(v0).toMatchObject({ event_version: '0', payload: { name: 'Ada', surname: 'Lovelace', payout_account: 'ACC', version: 2 } });
    const [v1] = managerEvents(manager, at({ managerLogin: 5 }), now);
    expect(v1).toMatchObject({ event_version: '1', payload: { login: 'ada', payout_account: 'ACC', version: 2 } });
  });

  it('TaskCreated: v0 with the joined title until step 7, v1 with the parts from 7; storage form per step', () => {
    for (const step of [0, 1]) {
      const stored = storedTask(task, at({ taskCreatedV1: step }));
      expect(stored.title).toBe('[Go] FizzBuzz');
      expect(stored.knowledge_area).toBe(step === 0 ? undefined : '');
      expect(taskCreatedEvent(stored, at({ taskCreatedV1: step }), now)).toMatchObject({ event_version: '0', payload: { task_title: '[Go] FizzBuzz' } });
    }
    expect(storedTask(task, at({ taskCreatedV1: 2 }))).toMatchObject({ title: 'FizzBuzz', knowledge_area: 'Go' });
    expect(taskCreatedEvent(task, at({ taskCreatedV1: 6 }), now)).toMatchObject({ event_version: '0', payload: { task_title: '[Go] FizzBuzz' } });
    // A legacy row (not backfilled) still goes out as v1 parts.
    expect(taskCreatedEvent({ ...task, title: '[Go] FizzBuzz', knowledge_area: '' }, at({ taskCreatedV1: 7 }), now)).toMatchObject({
      event_version: '1',
      payload: { knowledge_area: 'Go', title: 'FizzBuzz' },
    });
  });
});

describe('consumers handle exactly what their rules route to them', () => {
  const walks: MigrationSteps[] = [
    ...[0, 1, 2, 3, 4, 5].map((s) => at({ managerStream: s, managerLogin: 0 })),
    ...Array.from({ length: 11 }, (_, s) => at({ managerLogin: s })),
    ...Array.from({ length: 11 }, (_, s) => at({ taskCreatedV1: s })),
    ...[0, 1, 2, 3, 4, 5].map((s) => at({ taskUpdated: s, taskAssigned: s })),
  ];
  const final: ConsumerHandlers = {
    TaskSolved: { '0': async () => [] },
    ManagerUpdated: { '1': async () => [] },
    TaskCreated: { '1': async () => [] },
  };

  it.each(walks.map((steps) => [JSON.stringify(steps), steps] as const))('%s', (_, steps) => {
    const rules = consumedEvents(steps);
    expect(handled(hiringHandlersAt({ ManagerUpdated: final.ManagerUpdated! }, { steps }))).toEqual(routed(rules.hiringFromTasks));
    const bonus = bonusHandlersAt(final, { steps, getManager: async () => undefined });
    expect(handled(bonus)).toEqual(routed([...rules.bonusFromTasks, ...rules.bonusFromHiring]));
  });
});

describe('hiring shows managers per login step', () => {
  const legacy = { name: 'Ada', surname: 'Lovelace' };
  const loginOnly = { login: 'ada' };
  const both = { ...legacy, login: 'ada' };
  it.each([
    [0, ['Ada Lovelace', null, 'Ada Lovelace']],
    [1, ['Ada Lovelace', null, 'Ada Lovelace']],
    [2, ['Ada Lovelace', 'ada', 'Ada Lovelace']],
    [7, ['Ada Lovelace', 'ada', 'Ada Lovelace']],
    // From step 8 the login only: a manager without one shows nothing, never its old names.
    [8, [null, 'ada', 'ada']],
    [10, [null, 'ada', 'ada']],
  ] as const)('step %i', (step, expected) => {
    const display = managerDisplayFor(at({ managerLogin: step }));
    expect([display(legacy), display(loginOnly), display(both)]).toEqual(expected);
    expect(display(undefined)).toBeNull();
  });
});
