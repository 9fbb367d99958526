import { describe, expect, it } from 'vitest';
import { expectPresence, envOf, ruleVersions } from './expectStep.js';
import { stepSummary, type StepSummary } from './stepSummary.js';

/**
 * Template tests per step of the four link migrations (sync <-> async): for each step, the
 * step's queues, rules, routes, calls (URL + invoke grant), step variables and registry schemas
 * exist, and the removed ones are gone. Other links stay at their final step.
 */
const steps = (last: number) => Array.from({ length: last + 1 }, (_, i) => i);

describe('migration.manager-stream (manager tasks -> bonus, sync -> async)', () => {
  // The login migration has not started while the stream is being built (it needs step 3).
  const at = new Map<number, StepSummary>(steps(5).map((s) => [s, stepSummary({ 'migration.manager-stream': s, 'migration.manager-login': 0 })]));

  it.each(steps(5))('step %i', (step) => {
    const summary = at.get(step)!;
    expectPresence(summary.schemas, 'ManagerUpdated.v0', step >= 1, step); // 1: schema registered
    expect(ruleVersions(summary, 'BonusFromTasks', 'ManagerUpdated'), `step ${step}`).toEqual(step >= 2 ? ['v0'] : []); // 2: queue + consumer
    expect(envOf(summary, 'TasksHttp/Function', 'MIGRATION_MANAGER_STREAM_STEP')).toBe(step < 5 ? String(step) : undefined); // 3: producer on
    // bonus calls get_manager until 4 (URL + grant), the route goes at 5.
    expect(envOf(summary, 'BonusFromHiring/Function', 'TASKS_API_URL') !== undefined, `step ${step}`).toBe(step < 4);
    expectPresence(summary.invokes, 'BonusFromHiring/Function -> TasksHttp', step < 4, step);
    expectPresence(summary.routes, 'tasks GET /internal/managers/{manager_uid}', step < 5, step);
    expect(envOf(summary, 'BonusFromHiring/Function', 'MIGRATION_MANAGER_STREAM_STEP')).toBe(step < 5 ? String(step) : undefined);
    // hiring subscribes to the stream in every step (idle until tasks publishes at step 3).
    expect(ruleVersions(summary, 'HiringFromTasks', 'ManagerUpdated')).toEqual(['v0']);
  });
});

describe('migration.task-updated (test task updated tasks -> hiring, async -> sync push)', () => {
  const at = new Map<number, StepSummary>(steps(5).map((s) => [s, stepSummary({ 'migration.task-updated': s })]));

  it.each(steps(5))('step %i', (step) => {
    const summary = at.get(step)!;
    expectPresence(summary.routes, 'hiring PUT /internal/tasks/{task_uid}', step >= 1, step); // 1: update_task
    expect(envOf(summary, 'TasksHttp/Function', 'MIGRATION_TASK_UPDATED_STEP')).toBe(step < 5 ? String(step) : undefined); // 2: calls instead of events
    expect(envOf(summary, 'HiringFromTasks/Function', 'MIGRATION_TASK_UPDATED_STEP')).toBe(step < 5 ? String(step) : undefined);
    expect(ruleVersions(summary, 'HiringFromTasks', 'TaskUpdated'), `step ${step}`).toEqual(step < 4 ? ['v0'] : []); // 4: queue + consumer go
    expectPresence(summary.schemas, 'TaskUpdated.v0', step < 5, step); // 5: schema removed
    expectPresence(summary.invokes, 'TasksHttp/Function -> HiringHttp', true, step);
  });
});

describe('migration.task-update-request (task needs update hiring -> tasks, sync -> async)', () => {
  const at = new Map<number, StepSummary>(steps(6).map((s) => [s, stepSummary({ 'migration.task-update-request': s })]));

  it.each(steps(6))('step %i', (step) => {
    const summary = at.get(step)!;
    expectPresence(summary.schemas, 'TaskUpdateRequested.v0', step >= 1, step); // 1: schema
    expect(ruleVersions(summary, 'TasksFromHiring', 'TaskUpdateRequested'), `step ${step}`).toEqual(step >= 2 ? ['v0'] : []); // 2: queue + consumer
    expect(ruleVersions(summary, 'TasksFromHiring', 'NewCandidate')).toEqual(['v0']);
    expect(envOf(summary, 'TasksFromHiring/Function', 'MIGRATION_TASK_UPDATE_REQUEST_STEP')).toBe(step < 6 ? String(step) : undefined); // 4: applies
    expect(envOf(summary, 'HiringHttp/Function', 'MIGRATION_TASK_UPDATE_REQUEST_STEP')).toBe(step < 6 ? String(step) : undefined); // 3: produces
    // 5: hiring stops calling update_task; the deferred deliverer keeps the URL for calls still queued until 6.
    expect(envOf(summary, 'HiringHttp/Function', 'TASKS_API_URL') !== undefined, `step ${step}`).toBe(step < 5);
    expectPresence(summary.invokes, 'HiringHttp/Function -> TasksHttp', step < 5, step);
    expect(envOf(summary, 'HiringCalls/Deliverer', 'TASKS_API_URL') !== undefined, `step ${step}`).toBe(step < 6);
    expectPresence(summary.invokes, 'HiringCalls/Deliverer -> TasksHttp', step < 6, step);
    expectPresence(summary.routes, 'tasks POST /internal/tasks/{task_uid}/update-requests', step < 6, step); // 6: dead code removed
  });
});

describe('migration.task-assigned (task assigned tasks -> hiring, async -> sync)', () => {
  const at = new Map<number, StepSummary>(steps(5).map((s) => [s, stepSummary({ 'migration.task-assigned': s })]));

  it.each(steps(5))('step %i', (step) => {
    const summary = at.get(step)!;
    expectPresence(summary.routes, 'hiring POST /internal/assignments', step >= 1, step); // 1: assign_task
    expect(envOf(summary, 'TasksHttp/Function', 'MIGRATION_TASK_ASSIGNED_STEP')).toBe(step < 5 ? String(step) : undefined); // 2: calls instead of events
    expect(ruleVersions(summary, 'HiringFromTasks', 'TaskAssigned'), `step ${step}`).toEqual(step < 4 ? ['v0'] : []); // 4: queue + consumer go
    expectPresence(summary.schemas, 'TaskAssigned.v0', step < 5, step); // 5: schema removed
  });
});

describe('the final steps', () => {
  it('are the default, and cdk.json names them: the templates are the same with or without the keys', async () => {
    const { readFileSync } = await import('node:fs');
    const context = (JSON.parse(readFileSync('cdk.json', 'utf8')) as { context: Record<string, unknown> }).context;
    const migrationKeys = Object.fromEntries(Object.entries(context).filter(([key]) => key.startsWith('migration.')));
    expect(migrationKeys).toEqual({
      'migration.manager-stream': 5,
      'migration.task-updated': 5,
      'migration.task-update-request': 6,
      'migration.task-assigned': 5,
      'migration.task-created-v1': 10,
      'migration.manager-login': 10,
    });
    expect(stepSummary(migrationKeys)).toEqual(stepSummary({}));
  });

  it('publish only the live schema versions and no step variables', () => {
    const summary = stepSummary({});
    expect(summary.schemas).toEqual(['ManagerUpdated.v1', 'NewCandidate.v0', 'TaskCreated.v1', 'TaskSolved.v0', 'TaskUpdateRequested.v0']);
    for (const [fn, env] of Object.entries(summary.env)) {
      expect(Object.keys(env).filter((name) => name.startsWith('MIGRATION_')), fn).toEqual([]);
    }
  });
});
