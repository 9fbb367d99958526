import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
});

import { FINAL_STEPS, type MigrationSteps } from '../../../lambdas/shared/migrations/steps.js';
import { runBackfill } from '../../../scripts/migrations/backfill.js';
import { copyManagerLoginsSpec, dropManagerNamesSpec, publishManagersSpec, splitTaskTitlesSpec } from '../../../scripts/migrations/specs.js';
import { createMigrationWorld, type MigrationWorld } from './support/migrationWorld.js';
import type { LooseJsonObject } from '../../../local/looseJson.js';

/**
 * Each link walked through every step of its migration, in process over DynamoDB Local, with the
 * code of each step deployed in turn (tables and queued messages kept), traffic at every step and
 * messages left in flight across the boundaries: nothing lost, nothing applied twice.
 */
beforeEach(() => {
  vi.stubEnv('AWS_REGION', 'us-east-1');
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDMIGRATIONS');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'migrations-secret');
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.unstubAllEnvs();
});

const at = (changes: Partial<MigrationSteps>): MigrationSteps => ({ ...FINAL_STEPS, ...changes });

function actions(world: MigrationWorld) {
  let n = 0;
  const ok = <T>(answer: { status: number; body: T }, status: number, what: string): T => {
    expect(answer.status, `${what}: ${JSON.stringify(answer.body)}`).toBe(status);
    return answer.body;
  };
  return {
    async manager(payout = `ACC-${++n}`) {
      const body = { name: 'Ada', surname: `Lovelace${++n}`, login: `ada.${n}`, payout_account: payout };
      return ok(await world.call<{ manager_uid: string }>('tasks', { method: 'POST', resource: '/managers', body }), 201, 'POST /managers').manager_uid;
    },
    async updateManager(uid: string, body: Record<string, string>) {
      return ok(await world.call('tasks', { method: 'PUT', resource: '/managers/{manager_uid}', pathParameters: { manager_uid: uid }, body }), 200, 'PUT /managers');
    },
    async task(managerUid: string, title = `Task ${++n}`, area = 'Algorithms') {
      return ok(await world.call<{ task_uid: string }>('tasks', { method: 'POST', resource: '/tasks', body: { title, knowledge_area: area, manager_uid: managerUid } }), 201, 'POST /tasks').task_uid;
    },
    async updateTask(taskUid: string, body: Record<string, string>) {
      return ok(await world.call('tasks', { method: 'PUT', resource: '/tasks/{task_uid}', pathParameters: { task_uid: taskUid }, body }), 200, 'PUT /tasks');
    },
    async candidate() {
      return ok(await world.call<{ candidate_uid: string }>('hiring', { method: 'POST', resource: '/candidates', body: { name: 'Grace', surname: 'Hopper' } }), 201, 'POST /candidates').candidate_uid;
    },
    async assign(taskUid: string, candidateUid: string) {
      ok(await world.call('tasks', { method: 'POST', resource: '/tasks/{task_uid}/assignments', pathParameters: { task_uid: taskUid }, body: { candidate_uid: candidateUid } }), 201, 'assign');
    },
    async rate(taskUid: string, rating: number) {
      ok(await world.call('hiring', { method: 'PUT', resource: '/tasks/{task_uid}/rating', pathParameters: { task_uid: taskUid }, body: { rating } }), 200, 'rate');
    },
    async solve(taskUid: string, candidateUid: string) {
      ok(await world.call('hiring', { method: 'POST', resource: '/tasks/{task_uid}/solutions', pathParameters: { task_uid: taskUid }, body: { candidate_uid: candidateUid } }), 201, 'solve');
    },
    async requestUpdate(taskUid: string, reason: string) {
      return ok(await world.call<{ request_id: string }>('hiring', { method: 'POST', resource: '/tasks/{task_uid}/update-requests', pathParameters: { task_uid: taskUid }, body: { reason } }), 202, 'request update').request_id;
    },
    async hiringView(candidateUid: string) {
      return ok(await world.call<{ tasks: Array<LooseJsonObject> }>('hiring', { method: 'GET', resource: '/candidates/{candidate_uid}', pathParameters: { candidate_uid: candidateUid } }), 200, 'GET candidate');
    },
    async tasksView(taskUid: string) {
      return ok(await world.call<LooseJsonObject>('tasks', { method: 'GET', resource: '/tasks/{task_uid}', pathParameters: { task_uid: taskUid } }), 200, 'GET task');
    },
    async balance(managerUid: string) {
      const answer = await world.call<{ balance: number; entries: number }>('bonus', { method: 'GET', resource: '/managers/{manager_uid}/balance', pathParameters: { manager_uid: managerUid } });
      return answer.status === 404 ? { balance: 0, entries: 0 } : { balance: answer.body.balance, entries: answer.body.entries };
    },
    async flush() {
      await world.publish();
      return world.deliver();
    },
  };
}

describe('task-created-v1: TaskCreated v0 -> v1 (knowledge_area)', () => {
  it('walks 0..10 with v0 and v1 events in flight: bonus ends with every task split once', async () => {
    const world = await createMigrationWorld(at({ taskCreatedV1: 0 }));
    const a = actions(world);
    const manager = await a.manager();
    const tasks: Array<{ uid: string; title: string; area: string }> = [];
    for (let step = 0; step <= 10; step += 1) {
      if (step > 0) world.deploy(at({ taskCreatedV1: step }));
      if (step === 4) {
        // The backfill of the step: both tables, once.
        for (const table of [world.tables.tasks, world.tables.bonus]) await runBackfill(splitTaskTitlesSpec(table), { doc: world.doc, segments: 2 });
      }
      if (step === 9) expect(world.depth('bonusFromTasks'), 'old versions drained (step 8) before the v0 code goes').toBe(0);
      // Traffic: a task created at this step, consumed at the next (in flight), except before the drain.
      await world.publish();
      if (step === 8 || step === 10) await world.deliver();
      const title = `Task ${step}`;
      tasks.push({ uid: await a.task(manager, title, `Area ${step}`), title, area: `Area ${step}` });
      await world.publish();
      if (step === 7 || step === 8) await world.deliver(); // nothing of v0 left queued when the v0 consumer goes (step 9)
      if (step < 4) {
        const stored = await world.item('tasks', { pk: `TASK#${tasks.at(-1)!.uid}`, sk: 'TASK' });
        // Steps 0..1 keep "[Area] Title" in title; step 1 adds the empty column.
        if (step < 2) expect(stored).toMatchObject({ title: `[Area ${step}] ${title}` });
        expect(stored!.knowledge_area).toBe(step === 0 ? undefined : step === 1 ? '' : `Area ${step}`);
      }
    }
    await a.flush();
    const versions = world.applied.filter((d) => d.envelope.event_name === 'TaskCreated').map((d) => d.envelope.event_version);
    expect(versions.filter((v) => v === '0')).toHaveLength(7);
    expect(versions.filter((v) => v === '1')).toHaveLength(4);
    expect(world.applied.filter((d) => d.envelope.event_name === 'TaskCreated')).toHaveLength(tasks.length);
    for (const task of tasks) {
      expect(await world.item('bonus', { pk: `TASK#${task.uid}`, sk: 'TASK' }), task.title).toMatchObject({ title: task.title, knowledge_area: task.area });
      expect(await world.item('tasks', { pk: `TASK#${task.uid}`, sk: 'TASK' })).toMatchObject({ title: task.title, knowledge_area: task.area });
    }
  }, 120_000); // seconds alone; DynamoDB Local is shared with the other suites of a run
});

describe('manager-stream then manager-login: ManagerUpdated sync -> async, then v0 -> v1', () => {
  it('credits every solution once while the manager moves from get_manager to events and from name to login', async () => {
    const world = await createMigrationWorld(at({ managerStream: 0, managerLogin: 0 }));
    const a = actions(world);
    const candidate = await a.candidate();
    await a.flush(); // NewCandidate -> tasks
    const managers: string[] = [];
    let solved = 0;
    const walk = [
      ...[0, 1, 2, 3, 4, 5].map((s) => at({ managerStream: s, managerLogin: 0 })),
      ...[1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((s) => at({ managerLogin: s })),
    ];
    for (const steps of walk) {
      world.deploy(steps);
      if (steps.managerStream === 3 && steps.managerLogin === 0) {
        // The producer is on: publish every manager once (run twice: still one event each).
        for (let run = 0; run < 2; run += 1) await runBackfill(publishManagersSpec(world.tables.tasks, steps), { doc: world.doc, segments: 2 });
        expect((await world.publish()).filter((e) => e.event_name === 'ManagerUpdated')).toHaveLength(managers.length);
      }
      if (steps.managerLogin === 7) await runBackfill(copyManagerLoginsSpec(world.doc, world.tables.hiring, world.tables.tasks), { doc: world.doc, segments: 2 });
      if (steps.managerLogin === 10) await runBackfill(dropManagerNamesSpec(world.tables.hiring), { doc: world.doc, segments: 2 });
      if (steps.managerLogin === 8 || steps.managerStream === 4) await world.deliver(); // wait steps: queues drained before code goes
      // A manager and its task solved at this step; a payout account change in flight.
      const manager = await a.manager();
      managers.push(manager);
      const task = await a.task(manager);
      await a.assign(task, candidate);
      await a.rate(task, 3);
      await world.publish();
      if (steps.managerStream >= 3) await world.deliver(); // events carry the manager from step 3
      await a.solve(task, candidate);
      solved += 1;
      await a.updateManager(manager, { payout_account: `PAID-${solved}` });
      await a.flush();
      expect(await a.balance(manager), `step ${JSON.stringify(steps)}`).toEqual({ balance: 300, entries: 1 });
      // bonus asked get_manager (SigV4, 200) exactly while the step says so.
      const asked = world.network.requestsTo('tasks').filter((r) => r.path === `/internal/managers/${manager}`);
      expect(asked.map((r) => r.status), `get_manager at ${JSON.stringify(steps)}`).toEqual(steps.managerStream < 4 ? [200] : []);
    }
    // Every manager credited exactly once, with the payout account bonus knew.
    for (const manager of managers) expect(await a.balance(manager)).toEqual({ balance: 300, entries: 1 });
    // get_manager was called until step 4 and never after; hiring shows logins at the end.
    const getManagerCalls = world.network.requestsTo('tasks').filter((r) => r.path.startsWith('/internal/managers/'));
    expect(getManagerCalls).toEqual([]); // the network of the final step
    const view = await a.hiringView(candidate);
    expect(view.tasks.map((t) => t.manager.display_name)).toEqual(managers.map(() => expect.stringMatching(/^ada\.\d+$/)));
    for (const manager of managers) {
      const copy = await world.item('hiring', { pk: `MANAGER#${manager}`, sk: 'MANAGER' });
      expect(copy).toMatchObject({ login: expect.stringMatching(/^ada\./) });
      expect(copy!.name).toBeUndefined();
    }
    expect(world.applied.every((d) => d.failures === 0)).toBe(true);
  }, 120_000); // seconds alone; DynamoDB Local is shared with the other suites of a run
});

describe('task-update-request: hiring -> tasks, sync -> async', () => {
  it('records each request once whichever way it came, across 0..6 with events in flight', async () => {
    const world = await createMigrationWorld(at({ taskUpdateRequest: 0 }));
    const a = actions(world);
    const manager = await a.manager();
    const task = await a.task(manager);
    const requests: string[] = [];
    for (let step = 0; step <= 6; step += 1) {
      if (step > 0) world.deploy(at({ taskUpdateRequest: step }));
      await world.deliver(); // requests in flight from the previous step
      requests.push(await a.requestUpdate(task, `reason at step ${step}`));
      await world.publish();
      if (step === 4) {
        // tasks down for the call: the event records it, the deferred call later finds it recorded.
        world.network.setDown('tasks');
        requests.push(await a.requestUpdate(task, 'while tasks is down'));
        world.network.setDown('tasks', false);
        await world.publish();
        await world.deliver();
        await world.deliverPendingCalls('hiring');
      }
      expect((await world.pendingCalls('hiring')).length).toBe(0);
      const calls = world.network.requestsTo('tasks').filter((r) => r.path.endsWith('/update-requests'));
      expect(calls.length > 0, `update_task called at step ${step}`).toBe(step < 5);
      const events = world.applied.filter((d) => d.envelope.event_name === 'TaskUpdateRequested');
      expect(events.some((d) => d.envelope.payload.request_id === requests[0]), 'no event before step 3').toBe(false);
    }
    await world.deliver();
    const view = await a.tasksView(task);
    expect(view.update_requests.map((r: { request_id: string }) => r.request_id).sort()).toEqual([...requests].sort());
    expect(view.needs_update).toBe(true);
    const calls = world.network.requestsTo('tasks').filter((r) => r.path.endsWith('/update-requests'));
    expect(calls.length).toBe(0); // the final network: the route is gone
  }, 120_000); // seconds alone; DynamoDB Local is shared with the other suites of a run
});

describe('task-updated and task-assigned: tasks -> hiring, async -> sync', () => {
  it('keep the newest task version and each assignment once while events and calls both arrive', async () => {
    const world = await createMigrationWorld(at({ taskUpdated: 0, taskAssigned: 0 }));
    const a = actions(world);
    const manager = await a.manager();
    const task = await a.task(manager, 'v1 title');
    const candidates: string[] = [];
    for (let step = 0; step <= 5; step += 1) {
      if (step > 0) world.deploy(at({ taskUpdated: step, taskAssigned: step }));
      if (step === 4) await world.deliver(); // step 3 waited for the queue to drain
      const candidate = await a.candidate();
      candidates.push(candidate);
      await a.flush(); // NewCandidate to tasks (and anything queued before)
      await a.updateTask(task, { title: `title at step ${step}` });
      await a.assign(task, candidate);
      await world.publish(); // events stay queued across the next deploy
      const pushes = world.network.requestsTo('hiring').map((r) => `${r.method} ${r.path.replace(/[0-9a-f-]{36}/g, '{id}')}`);
      expect(pushes, `calls to hiring at step ${step}`).toEqual(step < 2 ? [] : ['PUT /internal/tasks/{id}', 'POST /internal/assignments']);
      if (step === 2) {
        // A late, older update through the queue after a newer call: the newest wins.
        await a.updateTask(task, { title: 'newest' });
      }
    }
    await world.deliver();
    const copy = await world.item('hiring', { pk: `TASK#${task}`, sk: 'TASK' });
    const current = await a.tasksView(task);
    expect(copy).toMatchObject({ title: current.title, version: current.version });
    for (const candidate of candidates) {
      const view = await a.hiringView(candidate);
      expect(view.tasks.map((t) => t.task_uid)).toEqual([task]);
    }
    expect(world.applied.every((d) => d.failures === 0)).toBe(true);
  }, 120_000); // seconds alone; DynamoDB Local is shared with the other suites of a run
});
