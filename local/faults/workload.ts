/**
 * The business side of a chaos run: a seeded plan of managers, candidates and task "stories"
 * (create, assign candidates, rate before/between/after solutions, move to other managers, solve),
 * driven over HTTP with bounded concurrency, and what the bonus service must show afterwards.
 */
import type { ApiAnswer, ApiClient } from './client.js';
import { Random } from './random.js';

export const PER_RATING_POINT = 100;

type Step = { kind: 'rate'; rating: number } | { kind: 'solve'; candidate: number } | { kind: 'move'; manager: number };

interface TaskStory {
  readonly index: number;
  readonly manager: number;
  readonly candidates: readonly number[];
  readonly steps: readonly Step[];
}

export interface WorkloadPlan {
  readonly managers: number;
  readonly candidates: number;
  readonly tasks: readonly TaskStory[];
  /** Business events the plan makes (each successful create/assign/rate/move/solve). */
  readonly events: number;
}

/** A plan of at least `events` business events. */
export function planWorkload(seed: number, events: number): WorkloadPlan {
  const rng = new Random(seed).fork('workload');
  const managers = Math.max(3, Math.round(events / 30));
  const candidates = Math.max(5, Math.round(events / 9));
  const tasks: TaskStory[] = [];
  let total = managers + candidates;
  while (total < events) {
    const manager = rng.int(0, managers - 1);
    const assigned = rng.shuffle(Array.from({ length: candidates }, (_, i) => i)).slice(0, rng.weighted([[1, 5], [2, 3.5], [3, 1.5]] as const));
    const steps: Step[] = [];
    for (const candidate of assigned) if (rng.chance(0.88)) steps.push({ kind: 'solve', candidate });
    const moves = rng.weighted([[0, 6], [1, 3], [2, 1]] as const);
    for (let m = 0; m < moves; m++) steps.push({ kind: 'move', manager: (manager + rng.int(1, managers - 1)) % managers });
    const mixed = rng.shuffle(steps);
    // The rating lands anywhere: before every solution, between them, or after all of them.
    mixed.splice(rng.int(0, mixed.length), 0, { kind: 'rate', rating: rng.int(1, 5) });
    tasks.push({ index: tasks.length, manager, candidates: assigned, steps: mixed });
    total += 1 + assigned.length + mixed.length;
  }
  return { managers, candidates, tasks, events: total };
}

/** One solution as the 201 answer told it. */
export interface SolvedRecord {
  readonly task_uid: string;
  readonly candidate_uid: string;
  readonly task_manager_uid: string;
  readonly rating: number;
}

export interface WorkloadResult {
  readonly managerUids: string[];
  readonly solutions: SolvedRecord[];
  /** Business events made, by kind. */
  readonly events: Record<string, number>;
  /** Requests repeated because the answer meant "not propagated yet" (404 / 409 not_assigned). */
  readonly propagationWaits: number;
  /** Answers that contradict idempotency or the plan (e.g. 409 already_solved on a retried solution). */
  readonly anomalies: string[];
}

/**
 * What a workload keeps while it runs: its Idempotency-Keys (`<prefix>-<what>-<uuid from keys>`),
 * business events by kind, anomalies, and how often it waited for an event or call to arrive.
 */
export function workloadTally(keys: Random, prefix: string) {
  const events: Record<string, number> = {};
  const anomalies: string[] = [];
  let waits = 0;
  return {
    events,
    anomalies,
    key: (what: string) => `${prefix}-${what}-${keys.uuid()}`,
    done: (kind: string) => {
      events[kind] = (events[kind] ?? 0) + 1;
    },
    onWait: () => {
      waits += 1;
    },
    waits: () => waits,
  };
}

/** The answer's body when its status is `status`; else throws naming the request. */
export function expectStatus(answer: ApiAnswer, status: number, what: string): ApiAnswer['body'] {
  if (answer.status !== status) throw new Error(`${what}: expected ${status}, got ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/** Runs the plan against the APIs (tasks, hiring, bonus). */
export async function runWorkload(plan: WorkloadPlan, client: ApiClient, seed: number, options: { storyConcurrency: number; log?: (m: string) => void }): Promise<WorkloadResult> {
  const { key, events, done, anomalies, onWait, waits } = workloadTally(new Random(seed).fork('keys'), `chaos-${seed}`);

  // Managers and candidates (bounded by the client's concurrency).
  const managerKeys = Array.from({ length: plan.managers }, (_, i) => key(`manager${i}`));
  const candidateKeys = Array.from({ length: plan.candidates }, (_, i) => key(`candidate${i}`));
  const [managerUids, candidateUids] = await Promise.all([
    Promise.all(
      managerKeys.map(async (k, i) => {
        const body = { name: `Manager${i}`, surname: `Chaos${seed}`, login: `m${i}.s${seed}`.slice(0, 32), payout_account: `ACC-${seed}-${i}` };
        const uid = expectStatus(await client.send('tasks', 'POST', '/managers', body, k), 201, `POST /managers #${i}`).manager_uid as string;
        done('ManagerCreated');
        return uid;
      }),
    ),
    Promise.all(
      candidateKeys.map(async (k, i) => {
        const uid = expectStatus(await client.send('hiring', 'POST', '/candidates', { name: `Candidate${i}`, surname: `Chaos${seed}` }, k), 201, `POST /candidates #${i}`).candidate_uid as string;
        done('CandidateCreated');
        return uid;
      }),
    ),
  ]);
  options.log?.(`${managerUids.length} managers and ${candidateUids.length} candidates created`);

  const solutions: SolvedRecord[] = [];
  const story = async (task: TaskStory) => {
    const created = await client.send(
      'tasks',
      'POST',
      '/tasks',
      { title: `Task ${task.index}`, knowledge_area: ['java', 'go', 'ts', 'sql'][task.index % 4]!, manager_uid: managerUids[task.manager] },
      key(`task${task.index}`),
    );
    const taskUid = expectStatus(created, 201, `POST /tasks #${task.index}`).task_uid as string;
    done('TaskCreated');
    for (const c of task.candidates) {
      // 404 until tasks learnt the candidate from hiring's NewCandidate event.
      await client.sendUntil(
        'tasks',
        'POST',
        `/tasks/${taskUid}/assignments`,
        { candidate_uid: candidateUids[c] },
        key(`assign${task.index}-${c}`),
        (a) => a.status === 201,
        (a) => a.status === 404,
        onWait,
      );
      done('TaskAssigned');
    }
    let rating: number | undefined;
    const pendingSolutions: Array<{ task_uid: string; candidate_uid: string; task_manager_uid: string }> = [];
    for (const step of task.steps) {
      if (step.kind === 'rate') {
        // 404 until hiring has its copy of the task (tasks -> hiring sync call, deferred on failure).
        await client.sendUntil('hiring', 'PUT', `/tasks/${taskUid}/rating`, { rating: step.rating }, key(`rate${task.index}`), (a) => a.status === 200, (a) => a.status === 404, onWait);
        rating = step.rating;
        done('TaskRated');
      } else if (step.kind === 'move') {
        const moved = await client.send('tasks', 'PUT', `/tasks/${taskUid}`, { manager_uid: managerUids[step.manager] }, key(`move${task.index}`));
        expectStatus(moved, 200, `PUT /tasks/${taskUid}`);
        done('TaskMoved');
      } else {
        const candidateUid = candidateUids[step.candidate]!;
        const solved = await client.sendUntil(
          'hiring',
          'POST',
          `/tasks/${taskUid}/solutions`,
          { candidate_uid: candidateUid },
          key(`solve${task.index}-${step.candidate}`),
          (a) => a.status === 201,
          // Hiring learns the task and the assignment through sync calls that may be deferred.
          (a) => a.status === 404 || (a.status === 409 && a.body?.error?.code === 'not_assigned'),
          onWait,
        ).catch((error: Error) => {
          if (/already_solved/.test(error.message)) {
            anomalies.push(`POST /tasks/${taskUid}/solutions (${candidateUid}): 409 already_solved on a retry with the same Idempotency-Key (the first answer was lost and not replayed)`);
            return undefined;
          }
          throw error;
        });
        if (!solved) continue;
        const body = solved.body as { task_uid: string; candidate_uid: string; task_manager_uid: string };
        if (body.task_uid !== taskUid || body.candidate_uid !== candidateUid) anomalies.push(`solution answer names another task/candidate: ${JSON.stringify(body)}`);
        pendingSolutions.push(body);
        done('TaskSolved');
      }
    }
    if (rating === undefined) throw new Error(`task ${task.index} was never rated`);
    for (const s of pendingSolutions) solutions.push({ task_uid: s.task_uid, candidate_uid: s.candidate_uid, task_manager_uid: s.task_manager_uid, rating });
  };

  let next = 0;
  let finished = 0;
  const worker = async () => {
    while (next < plan.tasks.length) {
      const task = plan.tasks[next++]!;
      await story(task);
      finished += 1;
      if (finished % 50 === 0) options.log?.(`${finished}/${plan.tasks.length} task stories done`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.storyConcurrency, plan.tasks.length) }, worker));
  return { managerUids, solutions, events, propagationWaits: waits(), anomalies };
}
