import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../../local/net.js';
import { storySteps } from '../../../scripts/e2e/steps.js';
import { runBackfill } from '../../../scripts/migrations/backfill.js';
import { copyManagerLoginsSpec, dropManagerNamesSpec, splitTaskTitlesSpec } from '../../../scripts/migrations/specs.js';
import { startOfflineWalk, type OfflineWalk } from './support/offlineWalk.js';

/**
 * Five links walked through every step of their migrations TOGETHER on the offline runtime, as a
 * team could roll them out: at walk step i each link is at min(i, its last step) (manager-stream
 * stays at its last step, which manager-login needs). Each step is the real app synthesized with
 * those `migration.*` values (bundled Lambdas) and applied with `runtime.reload`, which keeps the
 * tables and the queued messages. (manager-stream, which cannot run beside manager-login, has its own
 * walk in offlineManagerStream.test.ts.)
 *
 * Traffic at every step, never waited for before the reload, so events and calls cross each
 * boundary: a manager and a task (ManagerUpdated, TaskCreated), an update of the one shared task
 * (TaskUpdated or update_task), an update request (legacy call and/or TaskUpdateRequested), an
 * assignment (assign_task), a rating and a solution (a credit in bonus). Only where MIGRATIONS.md
 * says "wait until the queue is drained" the walk waits, and the data migrations run where the steps
 * say so. At the end: every credit once, every task split in tasks and bonus, every assignment
 * once, every update request once, hiring on the newest task version and showing logins, no DLQ.
 */
const LAST = { taskUpdated: 5, taskUpdateRequest: 6, taskAssigned: 5, taskCreatedV1: 10, managerLogin: 10 } as const;
const WALK = Array.from({ length: 11 }, (_, i) => i);
const contextAt = (i: number) => ({
  'migration.manager-stream': 5,
  'migration.task-updated': Math.min(i, LAST.taskUpdated),
  'migration.task-update-request': Math.min(i, LAST.taskUpdateRequest),
  'migration.task-assigned': Math.min(i, LAST.taskAssigned),
  'migration.task-created-v1': Math.min(i, LAST.taskCreatedV1),
  'migration.manager-login': Math.min(i, LAST.managerLogin),
});
/**
 * Queues that MIGRATIONS.md says must be drained before walk step i (its "check before the next
 * step" of step i-1): task-updated and task-assigned before 4 (no TaskUpdated/TaskAssigned left when
 * their handlers go), task-update-request before 6 (no deferred call to the legacy route left),
 * manager-login before 7 (v0 ManagerUpdated), task-created-v1 before 9 (v0 TaskCreated).
 */
const DRAIN_BEFORE: Record<number, string[]> = {
  4: ['HiringFromTasks'],
  6: ['HiringCalls'],
  7: ['HiringFromTasks', 'BonusFromTasks'],
  9: ['BonusFromTasks'],
};

let walk: OfflineWalk;

beforeAll(async () => {
  walk = await startOfflineWalk('links', new Map(WALK.map((i) => [i, contextAt(i)])));
}, 900_000);

afterAll(async () => {
  await walk?.stop();
});

describe('task-updated, task-update-request, task-assigned, task-created-v1 and manager-login on the offline runtime', () => {
  it('walks every step of the five links with traffic in flight: nothing lost, nothing twice, final state right', async () => {
    const { ok, tableOf, doc, recentLogs } = walk;
    const api = () => walk.api();
    const steps = () => storySteps(api(), { timeoutMs: 60_000, intervalMs: 200 });
    const candidate = await steps().createCandidate('Grace');
    const managers: string[] = [];
    const tasks: Array<{ uid: string; title: string; area: string }> = [];
    const requests: string[] = [];
    let shared = '';

    for (const i of WALK) {
      if (i > 0) {
        const queues = DRAIN_BEFORE[i];
        if (queues) await walk.drained(queues, `${queues.join(' and ')} drained before walk step ${i}`);
        await walk.advance(i);
      }
      if (i === 4) {
        // task-created-v1 step 4: split "[Area] Title" rows of tasks and bonus, twice = once.
        for (const table of [await tableOf('Tasks'), await tableOf('Bonus')]) {
          await runBackfill(splitTaskTitlesSpec(table), { doc, segments: 2 });
          expect((await runBackfill(splitTaskTitlesSpec(table), { doc, segments: 2 })).updated, `second split of ${table}`).toBe(0);
        }
      }
      if (i === 7) await runBackfill(copyManagerLoginsSpec(doc, await tableOf('Hiring'), await tableOf('Tasks')), { doc, segments: 2 });
      if (i === 10) await runBackfill(dropManagerNamesSpec(await tableOf('Hiring')), { doc, segments: 2 });

      const login = `ada.step${i}`;
      const manager = (await ok(api().request<{ manager_uid: string }>('tasks', 'POST', '/managers', { body: { name: 'Ada', surname: `L${i}`, login, payout_account: `ACC-${i}` } }), 201, `manager at ${i}`)).manager_uid;
      managers.push(manager);
      const title = `Task ${i}`;
      const area = `Area ${i}`;
      const task = (await ok(api().request<{ task_uid: string }>('tasks', 'POST', '/tasks', { body: { title, knowledge_area: area, manager_uid: manager } }), 201, `task at ${i}`)).task_uid;
      tasks.push({ uid: task, title, area });
      if (i === 0) shared = task;
      await ok(api().request('tasks', 'PUT', `/tasks/${shared}`, { body: { title: `Shared at step ${i}` } }), 200, `update at ${i}`);
      // hiring answers 404 until it has a copy of the task (TaskUpdated or update_task of its creation).
      const request = await waitFor(async () => {
        const answer = await api().request<{ request_id: string }>('hiring', 'POST', `/tasks/${shared}/update-requests`, { body: { reason: `step ${i}` }, idempotencyKey: `request-${i}` });
        return answer.status === 404 ? undefined : answer;
      }, { timeoutMs: 60_000, intervalMs: 200, what: `hiring to know the shared task at step ${i}` });
      requests.push((await ok(request, 202, `update request at ${i}`)).request_id);
      await steps().assign(task, candidate);
      // hiring rates a task it has a copy of (404 until TaskUpdated or update_task brought it).
      await waitFor(async () => (await api().request('hiring', 'PUT', `/tasks/${task}/rating`, { body: { rating: 3 } })).status === 200, { timeoutMs: 60_000, intervalMs: 200, what: `rating at step ${i}` });
      await waitFor(
        async () => (await api().request('hiring', 'POST', `/tasks/${task}/solutions`, { body: { candidate_uid: candidate }, idempotencyKey: `solve-${task}` })).status === 201,
        { timeoutMs: 60_000, intervalMs: 200, what: `solution at step ${i}` },
      );
      // No waiting: events, parked solutions and deferred calls of this step meet the next reload.
    }

    // Every solution credited exactly once (bonus learned each manager from ManagerUpdated v0 or v1).
    for (const m of managers) {
      expect(await walk.awaitCredit(m), `${m}\n${recentLogs()}`).toMatchObject({ balance: 300, entries: 1 });
    }
    // Every task split in tasks and bonus, whichever TaskCreated version carried it (the shared task,
    // renamed at every step, is checked against tasks' current version below).
    const [tasksTable, bonusTable, hiringTable] = [await tableOf('Tasks'), await tableOf('Bonus'), await tableOf('Hiring')];
    const item = async (table: string, pk: string, sk: string) => (await doc.send(new GetCommand({ TableName: table, Key: { pk, sk } }))).Item;
    for (const t of tasks.slice(1)) {
      expect(await item(tasksTable, `TASK#${t.uid}`, 'TASK'), `tasks row of ${t.title}`).toMatchObject({ title: t.title, knowledge_area: t.area });
      expect(await item(bonusTable, `TASK#${t.uid}`, 'TASK'), `bonus row of ${t.title}`).toMatchObject({ title: t.title, knowledge_area: t.area });
    }
    // Every update request recorded once, whichever way (call, event or both) it came.
    const sharedTask = () => ok(api().request<{ title: string; version: number; update_requests: Array<{ request_id: string }> }>('tasks', 'GET', `/tasks/${shared}`), 200, 'shared task');
    await waitFor(async () => (await sharedTask()).update_requests.length >= requests.length, { timeoutMs: 60_000, intervalMs: 250, what: 'every update request recorded' }).catch(() => undefined);
    const current = await sharedTask();
    expect(current.update_requests.map((r) => r.request_id).sort(), `requests by step: ${requests.join(' ')}\n${recentLogs()}`).toEqual([...requests].sort());
    expect(current.title).toBe('Shared at step 10');
    // hiring: each assignment once, the newest version of the shared task, managers shown by login.
    const view = await waitFor(async () => {
      const answer = await ok(api().request<{ tasks: Array<{ task_uid: string; title: string | null; manager: { display_name: string | null } | null }> }>('hiring', 'GET', `/candidates/${candidate}`), 200, 'candidate');
      return answer.tasks.length >= tasks.length && answer.tasks.every((t) => t.manager?.display_name) ? answer : undefined;
    }, { timeoutMs: 60_000, intervalMs: 250, what: 'hiring to show every task with its manager' });
    expect(view.tasks.map((t) => t.task_uid)).toEqual(tasks.map((t) => t.uid));
    expect(view.tasks.map((t) => t.manager?.display_name)).toEqual(WALK.map((i) => `ada.step${i}`));
    expect(await item(hiringTable, `TASK#${shared}`, 'TASK')).toMatchObject({ title: current.title, version: current.version });
    for (const m of managers) expect((await item(hiringTable, `MANAGER#${m}`, 'MANAGER'))?.name, `hiring's name of ${m}`).toBeUndefined();
    // Nothing dead-lettered on the way.
    expect(await walk.nonEmptyDeadLetterQueues(), recentLogs()).toEqual([]);
  }, 1_800_000);
});
