import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synthLocalAssembly } from '../../../local/localAssembly.js';
import { waitFor } from '../../../local/net.js';
import { startLocalRuntime, type LocalRuntime } from '../../../local/runtime.js';
import { ApiClient } from '../../../scripts/e2e/client.js';

/**
 * migration.task-assigned walked 0..5 on the offline runtime: the real app synthesized per step
 * (bundled Lambdas, `-c migration.task-assigned=<step>`) and applied with `runtime.reload`, which
 * keeps the tables and the queued messages. At every step a new candidate is assigned the task
 * (TaskAssigned event before step 2, assign_task call from step 2) and the step is changed without
 * waiting for it to arrive; only before step 4 (consumer and rule removed) the queue is drained, as
 * MIGRATIONS.md says. In the end hiring shows every assignment exactly once.
 */
const STEPS = [0, 1, 2, 3, 4, 5];
let runtime: LocalRuntime;
let api: ApiClient;
const logs: string[] = [];
const assemblies = new Map<number, string>();

beforeAll(async () => {
  for (const step of STEPS) {
    const { outdir } = synthLocalAssembly({ outdir: `.local/migrations-walk/task-assigned-${step}`, context: { 'migration.task-assigned': step } });
    assemblies.set(step, outdir);
  }
  // Its own DynamoDB Local and SQS server: the stack's table names are the same as other suites'.
  runtime = await startLocalRuntime({
    assemblyDir: assemblies.get(0)!,
    log: (m) => logs.push(`[local] ${m}`),
    functionLog: (fn, line) => logs.push(`${fn}: ${line}`),
  });
  api = client();
}, 600_000);

afterAll(async () => {
  await runtime?.stop();
});

function client(): ApiClient {
  return new ApiClient({
    hiring: runtime.endpoints['hiring-events-hiring']!,
    tasks: runtime.endpoints['hiring-events-tasks']!,
    bonus: runtime.endpoints['hiring-events-bonus']!,
  });
}

async function hiringTasksOf(candidate: string): Promise<string[]> {
  const answer = await api.request<{ tasks: Array<{ task_uid: string }> }>('hiring', 'GET', `/candidates/${candidate}`);
  expect(answer.status).toBe(200);
  return answer.body.tasks.map((t) => t.task_uid);
}

describe('migration.task-assigned on the offline runtime', () => {
  it('loses no assignment and applies none twice across reloads 0..5 with messages in flight', async () => {
    const manager = await api.request<{ manager_uid: string }>('tasks', 'POST', '/managers', { body: { name: 'Ada', surname: 'Lovelace', login: 'ada', payout_account: 'ACC-1' } });
    expect(manager.status).toBe(201);
    const task = await api.request<{ task_uid: string }>('tasks', 'POST', '/tasks', { body: { title: 'FizzBuzz', knowledge_area: 'Go', manager_uid: manager.body.manager_uid } });
    expect(task.status).toBe(201);
    const taskUid = task.body.task_uid;
    const candidates: string[] = [];

    for (const step of STEPS) {
      if (step > 0) {
        if (step === 4) {
          // Step 3 is "wait until the queue is drained": every assignment made so far has arrived.
          for (const candidate of candidates) await waitFor(async () => (await hiringTasksOf(candidate)).includes(taskUid), { timeoutMs: 60_000, intervalMs: 200, what: `assignment of ${candidate} in hiring` });
        }
        await runtime.reload(assemblies.get(step)!);
        api = client();
      }
      const candidate = await api.request<{ candidate_uid: string }>('hiring', 'POST', '/candidates', { body: { name: 'Grace', surname: `Step${step}` } });
      expect(candidate.status).toBe(201);
      const candidateUid = candidate.body.candidate_uid;
      candidates.push(candidateUid);
      // tasks learns the candidate from NewCandidate (asynchronously): 404 until then.
      await waitFor(
        async () => (await api.request('tasks', 'POST', `/tasks/${taskUid}/assignments`, { body: { candidate_uid: candidateUid }, idempotencyKey: `assign-${candidateUid}` })).status === 201,
        { timeoutMs: 60_000, intervalMs: 200, what: `assignment of ${candidateUid} at step ${step}` },
      );
      // No waiting here: the TaskAssigned event (steps 0..1) or the call (2..) may still be in flight at the next reload.
    }

    for (const candidate of candidates) {
      const seen = await waitFor(async () => {
        const tasks = await hiringTasksOf(candidate);
        return tasks.length > 0 ? tasks : undefined;
      }, { timeoutMs: 60_000, intervalMs: 200, what: `assignment of ${candidate} in hiring` });
      expect(seen, `${candidate}\n${logs.slice(-30).join('\n')}`).toEqual([taskUid]);
    }
    const assigned = logs.filter((l) => /TaskAssigned/.test(l) && /dead-letter|DLQ|unsupported/i.test(l));
    expect(assigned).toEqual([]);
  }, 600_000);
});
