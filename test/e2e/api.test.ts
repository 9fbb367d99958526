import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { storySteps, uniqueLogin, type StorySteps } from '../../scripts/e2e/steps.js';
import { waitFor } from '../../local/net.js';
import { startSystem, type SystemUnderTest } from './system.js';

/**
 * End to end over HTTP only: the offline runtime booted once for this file from the real synthesized
 * app (or a deployed stack with `E2E_ENDPOINTS=<file>`). Eventual outcomes are awaited by polling
 * the APIs, never by sleeping.
 */
/** Names this suite's run log, `.local/e2e/<suite>.log`. */
const SUITE = 'api';
let system: SystemUnderTest;
let steps: StorySteps;
/** Per test: eventual outcomes are awaited for up to `eventualTimeoutMs` each. */
// Locally a test awaits up to three eventual outcomes (120 s ceiling each, see system.ts): on a busy
// machine a deferred call and a few parking rounds can stack up, so the test's own ceiling is above them.
const TEST_TIMEOUT_MS = Number(process.env.E2E_TEST_TIMEOUT_MS ?? (process.env.E2E_ENDPOINTS ? 600_000 : 360_000));
const PER_RATING_POINT = 100;

beforeAll(async () => {
  system = await startSystem(SUITE);
  steps = storySteps(system.api, { timeoutMs: system.eventualTimeoutMs });
  // The three HTTP functions cold-start in parallel here rather than one after the other in the first test.
  await Promise.all(
    [
      ['hiring', `/candidates/${randomUUID()}`],
      ['tasks', `/tasks/${randomUUID()}/assignments`],
      ['bonus', `/managers/${randomUUID()}/balance`],
    ].map(([service, path]) => system.api.request(service as 'hiring' | 'tasks' | 'bonus', path!.endsWith('assignments') ? 'POST' : 'GET', path!, path!.endsWith('assignments') ? { body: {} } : {})),
  );
  const { synthesized, synthMs, bootMs } = system.timings;
  if (system.mode === 'local') {
    process.stdout.write(`[e2e] assembly ${synthesized ? `synthesized in ${synthMs} ms` : 'reused'}, runtime up in ${bootMs} ms\n`);
  }
}, 180_000);

afterAll(async () => {
  await system?.stop();
});

// A failing test prints the runtime's and the functions' last log lines (local mode).
beforeEach(({ onTestFailed }) => {
  const from = system.logs.length;
  onTestFailed(async () => {
    const lines = system.logs.slice(from).filter((line) => !line.startsWith('[trace]')).slice(-60);
    if (lines.length) process.stdout.write(`runtime log during the failed test (last ${lines.length} lines; the whole log with every message's trace is written to .local/e2e/${SUITE}.log):\n${lines.join('\n')}\n`);
    const queues = await system.queueStates();
    if (queues.length) process.stdout.write(`queues at the failure:\n${queues.join('\n')}\n`);
  });
});

describe('the money flow over HTTP', { timeout: TEST_TIMEOUT_MS }, () => {
  it('manager, task, candidate, assignment, rating 4, solution: the manager earns 400 with one ledger entry', async () => {
    const { managerUid, taskUid, candidateUid } = await steps.taskWithAssignedCandidate();
    expect(await steps.rate(taskUid, 4)).toMatchObject({ task_uid: taskUid, rating: 4 });
    const solved = await steps.solve(taskUid, candidateUid);
    expect(solved.task_manager_uid).toBe(managerUid);

    const balance = await steps.awaitBalance(managerUid, (b) => b.entries >= 1, 'the credit');
    expect(balance).toEqual({ manager_uid: managerUid, balance: 4 * PER_RATING_POINT, entries: 1 });
    expect(await steps.ledger(managerUid)).toEqual([
      expect.objectContaining({ manager_uid: managerUid, task_uid: taskUid, candidate_uid: candidateUid, rating: 4, amount: 400, solved_at: solved.solved_at }),
    ]);
    const candidate = await system.api.request('hiring', 'GET', `/candidates/${candidateUid}`);
    expect(candidate.status).toBe(200);
    expect(candidate.body).toMatchObject({ candidate_uid: candidateUid, name: 'Grace0', surname: 'Hopper' });
  });

  it('a task moved to another manager and solved by a second candidate credits the new manager, not the old', async () => {
    const { managerUid: oldManager, taskUid, candidateUids } = await steps.taskWithAssignedCandidate(2);
    const [first, second] = candidateUids as [string, string];
    const newManager = await steps.createManager('Barbara', 'ACC-NEW');
    await steps.rate(taskUid, 4);
    expect((await steps.solve(taskUid, first)).task_manager_uid).toBe(oldManager);
    await steps.awaitBalance(oldManager, (b) => b.entries >= 1, 'the first credit');

    expect(await steps.moveTask(taskUid, newManager)).toMatchObject({ manager_uid: newManager });
    await steps.assign(taskUid, second);
    expect((await steps.solve(taskUid, second)).task_manager_uid).toBe(newManager);

    expect(await steps.awaitBalance(newManager, (b) => b.entries >= 1, 'the new manager credit')).toEqual({ manager_uid: newManager, balance: 400, entries: 1 });
    expect(await steps.ledger(newManager)).toEqual([expect.objectContaining({ candidate_uid: second, task_uid: taskUid, amount: 400, payout_account: 'ACC-NEW' })]);
    // The old manager keeps the first solution's credit and nothing more.
    expect(await steps.balance(oldManager)).toEqual({ manager_uid: oldManager, balance: 400, entries: 1 });
    expect(await steps.ledger(oldManager)).toEqual([expect.objectContaining({ candidate_uid: first, amount: 400 })]);
  });

  it('a solution made before the rating is not credited until the rating arrives, then exactly once', async () => {
    const { managerUid, taskUid, candidateUid } = await steps.taskWithAssignedCandidate();
    // bonus knows the manager (ManagerUpdated went through): what is missing is only the rating.
    expect(await steps.awaitBalance(managerUid, () => true, 'bonus to know the manager')).toEqual({ manager_uid: managerUid, balance: 0, entries: 0 });

    const solved = await steps.solve(taskUid, candidateUid);
    expect(await steps.balance(managerUid)).toEqual({ manager_uid: managerUid, balance: 0, entries: 0 });
    expect(await steps.ledger(managerUid)).toEqual([]);

    await steps.rate(taskUid, 4);
    // The parked TaskSolved comes back after its (local: seconds) delay and finds the rating.
    expect(await steps.awaitBalance(managerUid, (b) => b.entries >= 1, 'the parked solution credit')).toEqual({ manager_uid: managerUid, balance: 400, entries: 1 });
    expect(await steps.ledger(managerUid)).toEqual([expect.objectContaining({ task_uid: taskUid, rating: 4, amount: 400, solved_at: solved.solved_at })]);
  });
});

describe('the API contract', { timeout: TEST_TIMEOUT_MS }, () => {
  it('a POST replayed with the same Idempotency-Key returns the first answer and creates nothing new', async () => {
    const key = `e2e-${randomUUID()}`;
    const body = { name: 'Idem', surname: 'Potent', login: uniqueLogin('idem'), payout_account: 'ACC-IDEM' };
    const first = await system.api.request('tasks', 'POST', '/managers', { body, idempotencyKey: key });
    expect(first.status).toBe(201);
    const replay = await system.api.request('tasks', 'POST', '/managers', { body, idempotencyKey: key });
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(first.body);
    expect(replay.headers['idempotent-replayed']).toBe('true');

    // The same key for another request is refused rather than silently replayed.
    const reused = await system.api.request('tasks', 'POST', '/managers', { body: { ...body, login: uniqueLogin('other') }, idempotencyKey: key });
    expect(reused.status).toBe(422);
    expect(reused.body).toMatchObject({ error: { code: 'idempotency_key_reused' } });

    const candidateKey = `e2e-${randomUUID()}`;
    const candidates = await Promise.all([1, 2].map(() => system.api.request('hiring', 'POST', '/candidates', { body: { name: 'Once', surname: 'Only' }, idempotencyKey: candidateKey })));
    // Concurrent duplicates: one creates; the other replays it or is told the first is in progress.
    const created = candidates.filter((c) => c.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((c) => c.body.candidate_uid)).size).toBe(1);
    for (const c of candidates.filter((c) => c.status !== 201)) expect(c.body).toMatchObject({ error: { code: 'request_in_progress' } });
  });

  it('400 names the offending field', async () => {
    const badLogin = await system.api.request('tasks', 'POST', '/managers', { body: { name: 'A', surname: 'B', login: 'No Spaces!', payout_account: 'ACC-1' } });
    expect(badLogin.status).toBe(400);
    expect(badLogin.body).toEqual({ error: { code: expect.any(String), message: expect.stringContaining('login'), field: 'body.login' } });

    const missing = await system.api.request('hiring', 'POST', '/candidates', { body: { name: 'Only' } });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatchObject({ field: expect.stringContaining('surname') });

    const badUid = await system.api.request('bonus', 'GET', '/managers/not-a-uuid/balance');
    expect(badUid.status).toBe(400);
    expect(badUid.body.error).toMatchObject({ field: 'path.manager_uid' });

    const { taskUid } = await steps.taskWithAssignedCandidate();
    const badRating = await system.api.request('hiring', 'PUT', `/tasks/${taskUid}/rating`, { body: { rating: 'four' } });
    expect(badRating.status).toBe(400);
    expect(badRating.body.error).toMatchObject({ field: 'body.rating' });
  });

  it('404 for what does not exist', async () => {
    const unknown = randomUUID();
    const candidate = await system.api.request('hiring', 'GET', `/candidates/${unknown}`);
    expect(candidate.status).toBe(404);
    expect(candidate.body).toMatchObject({ error: { code: 'not_found', message: expect.stringContaining(unknown) } });

    const rating = await system.api.request('hiring', 'PUT', `/tasks/${unknown}/rating`, { body: { rating: 3 } });
    expect(rating.status).toBe(404);
    expect(rating.body.error).toMatchObject({ code: 'not_found', field: 'path.task_uid' });

    const balance = await system.api.request('bonus', 'GET', `/managers/${unknown}/balance`);
    expect(balance.status).toBe(404);

    const managerUid = await steps.createManager();
    const taskUid = await steps.createTask(managerUid);
    const assignment = await system.api.request('tasks', 'POST', `/tasks/${taskUid}/assignments`, { body: { candidate_uid: unknown } });
    expect(assignment.status).toBe(404);
    expect(assignment.body.error).toMatchObject({ code: 'not_found', field: 'body.candidate_uid' });
  });
});

describe('every value answered with 2xx reaches every service that needs it', { timeout: TEST_TIMEOUT_MS }, () => {
  it('a manager with an emoji payout account is known to bonus and credited; a candidate named with emoji is known to tasks', async () => {
    const payout = 'ACC-\u{1F600}';
    const created = await system.api.request('tasks', 'POST', '/managers', { body: { name: 'Ada \u{1F469}\u200D\u{1F4BB}', surname: 'Lov\u00e9lace', login: uniqueLogin('emoji'), payout_account: payout } });
    expect(created.status).toBe(201);
    const managerUid = created.body.manager_uid as string;
    // bonus learns the manager from ManagerUpdated (through the bus and its queue): the emoji travels.
    expect(await steps.awaitBalance(managerUid, () => true, 'bonus to know the manager')).toEqual({ manager_uid: managerUid, balance: 0, entries: 0 });

    const taskUid = await steps.createTask(managerUid, 'Reverse a list \u{1F501}');
    const candidateUid = await steps.createCandidate('Gr\u00e2ce \u{1F469}\u200D\u{1F52C}');
    // tasks learns the candidate from NewCandidate: the assignment is accepted once it has.
    await steps.assign(taskUid, candidateUid);
    await steps.rate(taskUid, 4);
    const solved = await steps.solve(taskUid, candidateUid);
    expect(solved.task_manager_uid).toBe(managerUid);

    expect(await steps.awaitBalance(managerUid, (b) => b.entries >= 1, 'the credit')).toEqual({ manager_uid: managerUid, balance: 400, entries: 1 });
    expect(await steps.ledger(managerUid)).toEqual([expect.objectContaining({ task_uid: taskUid, candidate_uid: candidateUid, amount: 400, payout_account: payout })]);
    const candidate = await system.api.request('hiring', 'GET', `/candidates/${candidateUid}`);
    expect(candidate.body).toMatchObject({ name: 'Gr\u00e2ce \u{1F469}\u200D\u{1F52C}' });
  });

  it('refuses NUL, lone surrogates and U+FFFF with a 400 naming the field, before anything is stored', async () => {
    const manager = (payout_account: string) => ({ name: 'Ada', surname: 'Lovelace', login: uniqueLogin('bad'), payout_account });
    for (const [value, character] of [['ACC-\u0000', 'U+0000'], ['ACC-\ud83d', 'U+D83D'], ['ACC-\uffff', 'U+FFFF']] as const) {
      const answer = await system.api.request('tasks', 'POST', '/managers', { body: manager(value) });
      expect(answer.status).toBe(400);
      expect(answer.body.error).toMatchObject({ code: 'validation_error', field: 'body.payout_account', message: expect.stringContaining(character) });
    }
    const candidate = await system.api.request('hiring', 'POST', '/candidates', { body: { name: '\u200b\u200b', surname: 'Hopper' } });
    expect(candidate.status).toBe(400);
    expect(candidate.body.error).toMatchObject({ field: 'body.name', message: expect.stringContaining('visible character') });
  });
});

describe('the local message path', { timeout: TEST_TIMEOUT_MS }, () => {
  // Last in the file: every event routed to a queue during the suite reached its consumer. A message taken
  // by anything else (another runtime polling the same queue names) would stay here until the ceiling.
  it.runIf(process.env.E2E_ENDPOINTS === undefined)('every message the runtime sent to a queue was received and deleted by its mapping', async () => {
    await waitFor(() => system.strandedMessages().length === 0, { timeoutMs: system.eventualTimeoutMs, intervalMs: 200, what: 'every sent message to be consumed' }).catch((error: Error) => {
      throw new Error(`${error.message}; still not consumed:\n${system.strandedMessages().join('\n')}`);
    });
  });
});
