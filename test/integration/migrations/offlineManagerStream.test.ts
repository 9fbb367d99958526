import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../../local/net.js';
import { FINAL_STEPS } from '../../../lambdas/shared/migrations/steps.js';
import { runBackfill } from '../../../scripts/migrations/backfill.js';
import { publishManagersSpec } from '../../../scripts/migrations/specs.js';
import { startOfflineWalk, type OfflineWalk } from './support/offlineWalk.js';

/**
 * migration.manager-stream walked 0..5 on the offline runtime (manager-login at 0): bonus gets the
 * manager of a solved task from tasks' get_manager (real SigV4 call between the local functions)
 * before step 4 and from ManagerUpdated events from step 3 (`publish-managers` run against the
 * runtime's table at step 3). At every step a manager's task is solved and the step changed
 * without waiting for the credit; before step 4 the credits are awaited (manager-stream step 4 turns
 * the call off). In the end every manager is credited exactly once.
 */
const STEPS = [0, 1, 2, 3, 4, 5];
let walk: OfflineWalk;

beforeAll(async () => {
  walk = await startOfflineWalk('manager-stream', new Map(STEPS.map((step) => [step, { 'migration.manager-stream': step, 'migration.manager-login': 0 }])));
}, 600_000);

afterAll(async () => {
  await walk?.stop();
});

describe('migration.manager-stream on the offline runtime', () => {
  it('credits every solution once across reloads 0..5 with solutions in flight', async () => {
    const candidate = (await walk.ok(walk.api().request<{ candidate_uid: string }>('hiring', 'POST', '/candidates', { body: { name: 'Grace', surname: 'Hopper' } }), 201, 'candidate')).candidate_uid;
    const managers: string[] = [];
    for (const step of STEPS) {
      if (step > 0) {
        if (step === 3 || step === 4) {
          // Before 3: the credits so far can only come from get_manager (tasks publishes nothing yet).
          // Before 4: step 4 turns the call off.
          // A TaskSolved that met a cold bonus or tasks function is parked and retried: awaitCredit waits as long as that can take.
          for (const m of managers) expect(await walk.awaitCredit(m), `credit of ${m} before step ${step}\n${walk.recentLogs()}`).toMatchObject({ entries: 1 });
        }
        await walk.advance(step);
      }
      if (step === 3) {
        // The producer is on: publish every existing manager once (bonus and hiring learn them).
        const counts = await runBackfill(publishManagersSpec(await walk.tableOf('Tasks'), { ...FINAL_STEPS, managerStream: 3, managerLogin: 0 }), { doc: walk.doc, segments: 2 });
        expect(counts.updated).toBe(managers.length);
      }
      const manager = (await walk.ok(walk.api().request<{ manager_uid: string }>('tasks', 'POST', '/managers', { body: { name: 'Ada', surname: `L${step}`, login: `ada.${step}`, payout_account: `ACC-${step}` } }), 201, 'manager')).manager_uid;
      managers.push(manager);
      const task = (await walk.ok(walk.api().request<{ task_uid: string }>('tasks', 'POST', '/tasks', { body: { title: `Task ${step}`, knowledge_area: 'Go', manager_uid: manager } }), 201, 'task')).task_uid;
      await waitFor(
        async () => (await walk.api().request('tasks', 'POST', `/tasks/${task}/assignments`, { body: { candidate_uid: candidate }, idempotencyKey: `assign-${task}` })).status === 201,
        { timeoutMs: 60_000, intervalMs: 200, what: `assignment at step ${step}` },
      );
      await waitFor(async () => (await walk.api().request('hiring', 'PUT', `/tasks/${task}/rating`, { body: { rating: 3 } })).status === 200, { timeoutMs: 60_000, intervalMs: 200, what: `rating at step ${step}` });
      await waitFor(
        async () => (await walk.api().request('hiring', 'POST', `/tasks/${task}/solutions`, { body: { candidate_uid: candidate }, idempotencyKey: `solve-${task}` })).status === 201,
        { timeoutMs: 60_000, intervalMs: 200, what: `solution at step ${step}` },
      );
      // No waiting for the credit: the TaskSolved may still be queued or parked at the next reload.
    }
    for (const m of managers) {
      expect(await walk.awaitCredit(m), `${m}\n${walk.recentLogs()}`).toEqual({ balance: 300, entries: 1 });
    }
  }, 900_000);
});
