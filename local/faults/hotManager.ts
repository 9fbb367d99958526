/**
 * The hot-manager workload: every solution of the run credits ONE manager, so every `TaskSolved` the
 * bonus consumer handles updates the same balance item, as fast as the pollers deliver them — the
 * place where DynamoDB's transaction conflicts are densest.
 *
 * One manager, `tasks` tasks, `candidates` candidates, every candidate assigned to every task; each
 * task rated once BEFORE any solution (so the amount of every credit is fixed: rating x 100); then
 * all the solutions at once, in a shuffled order, as fast as the client's concurrency allows.
 * Before solving, the run waits (reading `GET /candidates/{uid}`) until hiring knows every
 * assignment: solutions sent earlier would only be refused `409 not_assigned` and repeated, and that
 * polling, not the crediting, would load the system.
 */
import { waitFor } from '../net.js';
import type { ApiClient } from './client.js';
import { Random } from './random.js';
import { expectStatus, type SolvedRecord, type WorkloadResult, workloadTally } from './workload.js';

export interface HotManagerPlan {
  readonly tasks: number;
  readonly candidates: number;
  /** tasks x candidates. */
  readonly solutions: number;
}

/** The smallest near-square grid of tasks x candidates with at least `solutions` cells. */
export function planHotManager(solutions: number): HotManagerPlan {
  const tasks = Math.max(1, Math.round(Math.sqrt(solutions / 1.5)));
  const candidates = Math.ceil(solutions / tasks);
  return { tasks, candidates, solutions: tasks * candidates };
}

export async function runHotManagerWorkload(plan: HotManagerPlan, client: ApiClient, seed: number, log: (line: string) => void = () => undefined): Promise<WorkloadResult> {
  const rng = new Random(seed).fork('hot-manager');
  const { key, events, done, anomalies, onWait, waits } = workloadTally(new Random(seed).fork('hot-manager-keys'), `hot-${seed}`);
  const all = <T>(n: number, each: (i: number) => Promise<T>) => Promise.all(Array.from({ length: n }, (_, i) => each(i)));

  const manager = expectStatus(
    await client.send('tasks', 'POST', '/managers', { name: 'Hot', surname: `Manager${seed}`, login: `hot.${seed}`.slice(0, 32), payout_account: `ACC-HOT-${seed}` }, key('manager')),
    201,
    'POST /managers',
  ).manager_uid as string;
  done('ManagerCreated');
  const candidates = await all(plan.candidates, async (i) => {
    const uid = expectStatus(await client.send('hiring', 'POST', '/candidates', { name: `Candidate${i}`, surname: `Hot${seed}` }, key(`candidate${i}`)), 201, `POST /candidates #${i}`).candidate_uid as string;
    done('CandidateCreated');
    return uid;
  });
  const ratings = Array.from({ length: plan.tasks }, () => rng.int(1, 5));
  const tasks = await all(plan.tasks, async (t) => {
    const uid = expectStatus(
      await client.send('tasks', 'POST', '/tasks', { title: `Hot task ${t}`, knowledge_area: 'ts', manager_uid: manager }, key(`task${t}`)),
      201,
      `POST /tasks #${t}`,
    ).task_uid as string;
    done('TaskCreated');
    // 404 until hiring has its copy of the task (the update_task push).
    await client.sendUntil('hiring', 'PUT', `/tasks/${uid}/rating`, { rating: ratings[t] }, key(`rate${t}`), (a) => a.status === 200, (a) => a.status === 404, onWait);
    done('TaskRated');
    return uid;
  });
  log(`1 manager, ${plan.candidates} candidates, ${plan.tasks} tasks rated; assigning ${plan.solutions}`);

  const cells = rng.shuffle(Array.from({ length: plan.solutions }, (_, i) => ({ t: Math.floor(i / plan.candidates), c: i % plan.candidates })));
  await all(cells.length, async (i) => {
    const { t, c } = cells[i]!;
    // 404 until tasks learnt the candidate from hiring's NewCandidate event.
    await client.sendUntil('tasks', 'POST', `/tasks/${tasks[t]}/assignments`, { candidate_uid: candidates[c] }, key(`assign${t}-${c}`), (a) => a.status === 201, (a) => a.status === 404, onWait);
    done('TaskAssigned');
  });
  log(`${plan.solutions} assignments made; waiting until hiring knows them all`);
  await all(candidates.length, (c) =>
    waitFor(
      async () => {
        const answer = await client.send('hiring', 'GET', `/candidates/${candidates[c]}`);
        const known = answer.status === 200 ? ((answer.body as { tasks?: unknown[] }).tasks ?? []).length : 0;
        if (known < plan.tasks) onWait();
        return known >= plan.tasks;
      },
      { timeoutMs: 600_000, intervalMs: 500, what: `hiring to know the ${plan.tasks} assignments of candidate ${c}` },
    ),
  );
  log('hiring knows every assignment; solving');

  const solutions: SolvedRecord[] = [];
  const solveOrder = rng.shuffle(cells);
  let solved = 0;
  await all(solveOrder.length, async (i) => {
    const { t, c } = solveOrder[i]!;
    const answer = await client.sendUntil(
      'hiring',
      'POST',
      `/tasks/${tasks[t]}/solutions`,
      { candidate_uid: candidates[c] },
      key(`solve${t}-${c}`),
      (a) => a.status === 201,
      // Hiring learns the assignment through the assign_task call, which may be deferred.
      (a) => a.status === 404 || (a.status === 409 && (a.body as { error?: { code?: string } } | undefined)?.error?.code === 'not_assigned'),
      onWait,
    );
    const body = answer.body as { task_uid: string; candidate_uid: string; task_manager_uid: string };
    if (body.task_manager_uid !== manager) anomalies.push(`solution of ${body.task_uid}/${body.candidate_uid} names manager ${body.task_manager_uid}, not the hot manager`);
    solutions.push({ task_uid: body.task_uid, candidate_uid: body.candidate_uid, task_manager_uid: body.task_manager_uid, rating: ratings[t]! });
    done('TaskSolved');
    solved += 1;
    if (solved % 500 === 0) log(`${solved}/${plan.solutions} solutions`);
  });
  return { managerUids: [manager], solutions, events, propagationWaits: waits(), anomalies };
}
