import { describe, expect, it } from 'vitest';
import { expectPresence, envOf, ruleVersions } from './expectStep.js';
import { stepSummary, type StepSummary } from './stepSummary.js';

/** Template tests per step of the two event-version migrations (TaskCreated v0 -> v1, ManagerUpdated v0 -> v1). */
const steps = (last: number) => Array.from({ length: last + 1 }, (_, i) => i);

describe('migration.task-created-v1 (TaskCreated v0 -> v1, knowledge_area)', () => {
  const at = new Map<number, StepSummary>(steps(10).map((s) => [s, stepSummary({ 'migration.task-created-v1': s })]));

  it.each(steps(10))('step %i', (step) => {
    const summary = at.get(step)!;
    expectPresence(summary.schemas, 'TaskCreated.v0', step < 10, step); // 10: old schema removed
    expectPresence(summary.schemas, 'TaskCreated.v1', step >= 5, step); // 5: new schema registered
    const versions = step < 6 ? ['v0'] : step < 9 ? ['v0,1'] : ['v1']; // 6: consumer handles v1; 9: v0 code removed
    expect(ruleVersions(summary, 'BonusFromTasks', 'TaskCreated'), `step ${step}`).toEqual(versions);
    // 1..3: columns, joining producer, splitting consumer; 7: producer switches: behaviour by step variable.
    const variable = step < 10 ? String(step) : undefined;
    expect(envOf(summary, 'TasksHttp/Function', 'MIGRATION_TASK_CREATED_V1_STEP')).toBe(variable);
    expect(envOf(summary, 'BonusFromTasks/Function', 'MIGRATION_TASK_CREATED_V1_STEP')).toBe(variable);
  });
});

describe('migration.manager-login (ManagerUpdated v0 -> v1, login)', () => {
  const at = new Map<number, StepSummary>(steps(10).map((s) => [s, stepSummary({ 'migration.manager-login': s })]));

  it.each(steps(10))('step %i', (step) => {
    const summary = at.get(step)!;
    expectPresence(summary.schemas, 'ManagerUpdated.v0', step < 9, step); // 9: old schema removed
    expectPresence(summary.schemas, 'ManagerUpdated.v1', step >= 3, step); // 3: new schema registered
    const versions = step < 4 ? ['v0'] : step < 8 ? ['v0,1'] : ['v1']; // 4: consumers handle v1; 8: v0 code removed
    for (const consumer of ['HiringFromTasks', 'BonusFromTasks']) {
      expect(ruleVersions(summary, consumer, 'ManagerUpdated'), `${consumer} step ${step}`).toEqual(versions);
    }
    const variable = step < 10 ? String(step) : undefined; // 2: display fallback (hiring API); 5: producer switches (tasks API)
    for (const fn of ['TasksHttp/Function', 'HiringHttp/Function', 'HiringFromTasks/Function', 'BonusFromTasks/Function']) {
      expect(envOf(summary, fn, 'MIGRATION_MANAGER_LOGIN_STEP'), `${fn} step ${step}`).toBe(variable);
    }
  });
});
