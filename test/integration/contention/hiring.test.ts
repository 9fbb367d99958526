import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { pendingCallKey } from '../../../lambdas/shared/calls/index.js';
import { assignmentIdKey, candidateKey, ratingKey, solutionKey, taskKey } from '../../../lambdas/hiring/keys.js';
import { getItem, outboxEvents, scanAll, startBonusStub, uid, type BonusStub } from '../../fixtures/hiring/factories.js';
import { hiringHarness, type HiringHarness } from '../../fixtures/hiring/harness.js';
import { concurrently, expectOnly2xxOr409, useConflictLayer, withConflicts } from './conflictLayer.js';

/**
 * Many clients writing the same hiring item at once, with DynamoDB's transaction conflicts emulated
 * (the layer the offline runtime puts in front of DynamoDB Local): every answer is a 2xx or a
 * documented 409, the stored state is consistent, idempotency keys still hold.
 */
const layer = useConflictLayer();
let h: HiringHarness;
let bonus: BonusStub;
const WRITERS = 10;

beforeAll(async () => {
  // callService signs with SigV4 from the default credential chain.
  vi.stubEnv('AWS_REGION', 'us-east-1');
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'local');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'local');
  bonus = await startBonusStub();
  h = await hiringHarness({ doc: layer.doc, bonusApiUrl: bonus.url, callRetry: { maxAttempts: 1 }, callTimeoutMs: 2000 });
});
afterAll(async () => {
  await bonus.close();
  vi.unstubAllEnvs();
});

type Rated = { task_uid: string; rating: number; version: number };

// Each storm ends within the retry budget (8 s) per writer; the ceiling leaves room for a machine many times busier.
describe('contention on hiring write routes (transaction conflicts emulated)', { timeout: 120_000 }, () => {
  it(`PUT /tasks/{task_uid}/rating: ${WRITERS} raters at once, 3 rounds -> each 200 is its own version, the stored rating is the highest version's`, async () => {
    const { task_uid } = await h.putTask();
    const sent: Array<{ key: string; answer: { status: number; body: Rated } }> = [];
    await withConflicts(layer, async () => {
      for (let round = 0; round < 3; round++) {
        sent.push(
          ...(await concurrently(WRITERS, async (i) => {
            const key = `rate-${round}-${i}-${uid()}`;
            return { key, answer: await h.call<Rated>('PUT', `/tasks/${task_uid}/rating`, { body: { rating: ((round + i) % 5) + 1 }, idempotencyKey: key }) };
          })),
        );
      }
    });
    const rated = expectOnly2xxOr409(sent.map((s) => s.answer)).map((a) => a.body);
    const versions = rated.map((r) => r.version).sort((a, b) => a - b);
    expect(versions).toEqual(Array.from({ length: rated.length }, (_, i) => i + 1)); // no version twice, none skipped
    expect(rated.length).toBeGreaterThan(0);
    const newest = rated.find((r) => r.version === rated.length)!;
    expect(await getItem(h.doc, h.tableName, ratingKey(task_uid))).toMatchObject({ rating: newest.rating, version: newest.version });
    // Each accepted rating has its durable call to bonus (none lost, none for a refused attempt).
    for (const r of rated) expect(await getItem(h.doc, h.tableName, pendingCallKey(`rating-${task_uid}-v${r.version}`))).toMatchObject({ body: { rating: r.rating } });
    expect(await getItem(h.doc, h.tableName, pendingCallKey(`rating-${task_uid}-v${rated.length + 1}`))).toBeUndefined();
    // Idempotency: a retry with a key that succeeded replays its answer and writes nothing.
    const accepted = sent.find((s) => s.answer.status === 200)!;
    const replay = await h.call<Rated>('PUT', `/tasks/${task_uid}/rating`, { body: { rating: accepted.answer.body.rating }, idempotencyKey: accepted.key });
    expect(replay).toMatchObject({ status: 200, body: accepted.answer.body, headers: { 'idempotent-replayed': 'true' } });
    expect((await getItem(h.doc, h.tableName, ratingKey(task_uid)))?.version).toBe(rated.length);
  });

  it(`POST /tasks/{task_uid}/solutions: ${WRITERS} candidates solving one task at once -> each 201 has its solution and ONE TaskSolved`, async () => {
    const task = await h.putTask();
    const candidates = await concurrently(WRITERS, () => h.newCandidate());
    for (const c of candidates) await h.assign(task.task_uid, c);
    const keys = candidates.map(() => `solve-${uid()}`);
    const answers = await withConflicts(layer, () =>
      concurrently(WRITERS, (i) => h.call<{ candidate_uid: string; task_manager_uid: string }>('POST', `/tasks/${task.task_uid}/solutions`, { body: { candidate_uid: candidates[i] }, idempotencyKey: keys[i] })),
    );
    const solved = expectOnly2xxOr409(answers);
    // Idempotency holds: a key that got its 201 replays it, with no second TaskSolved (counted below).
    const first = answers.findIndex((a) => a.status === 201);
    const replay = await h.call('POST', `/tasks/${task.task_uid}/solutions`, { body: { candidate_uid: candidates[first] }, idempotencyKey: keys[first] });
    expect(replay).toMatchObject({ status: 201, body: answers[first]!.body, headers: { 'idempotent-replayed': 'true' } });
    const events = (await outboxEvents(h.doc, h.tableName, 'TaskSolved')).filter((e) => e.payload.task_uid === task.task_uid);
    expect(events.map((e) => e.payload.candidate_uid).sort()).toEqual(solved.map((a) => a.body.candidate_uid).sort());
    for (const a of solved) expect(a.body.task_manager_uid).toBe(task.manager_uid);
    for (const [i, a] of answers.entries()) {
      const stored = await getItem(h.doc, h.tableName, solutionKey(task.task_uid, candidates[i]!));
      if (a.status === 201) expect(stored).toBeDefined();
      else expect(stored).toBeUndefined();
    }
  });

  it('POST /tasks/{task_uid}/solutions: one candidate, 6 clients at once with their own keys -> one 201, the others 409 already_solved, one TaskSolved', async () => {
    const { candidate_uid, task_uid } = await h.assignedTask();
    const answers = await withConflicts(layer, () =>
      concurrently(6, () => h.call('POST', `/tasks/${task_uid}/solutions`, { body: { candidate_uid }, idempotencyKey: `dup-${uid()}` })),
    );
    expect(expectOnly2xxOr409(answers, ['already_solved'])).toHaveLength(1);
    const events = (await outboxEvents(h.doc, h.tableName, 'TaskSolved')).filter((e) => e.payload.task_uid === task_uid);
    expect(events).toHaveLength(1);
  });

  it(`POST /tasks/{task_uid}/update-requests: ${WRITERS} at once on one task -> every 202 recorded once with its TaskUpdateRequested`, async () => {
    const { task_uid } = await h.putTask();
    const answers = await withConflicts(layer, () =>
      concurrently(WRITERS, (i) => h.call<{ request_id: string }>('POST', `/tasks/${task_uid}/update-requests`, { body: { reason: `unclear #${i}` }, idempotencyKey: `upd-${uid()}` })),
    );
    const accepted = expectOnly2xxOr409(answers);
    const rows = (await scanAll(h.doc, h.tableName)).filter((r) => r.item_type === 'update_request' && r.task_uid === task_uid);
    expect(rows.map((r) => r.request_id).sort()).toEqual(accepted.map((a) => a.body.request_id).sort());
    const events = (await outboxEvents(h.doc, h.tableName, 'TaskUpdateRequested')).filter((e) => e.payload.task_uid === task_uid);
    expect(events.map((e) => e.payload.request_id).sort()).toEqual(accepted.map((a) => a.body.request_id).sort());
  });

  it(`PUT /internal/tasks/{task_uid} (update_task): ${WRITERS} versions at once while candidates solve the task -> the newest applied version is stored`, async () => {
    const task = await h.putTask({ version: 1 });
    const candidates = await concurrently(5, () => h.newCandidate());
    for (const c of candidates) await h.assign(task.task_uid, c);
    const managers = Array.from({ length: WRITERS }, () => uid());
    const [updates, solutions] = await withConflicts(layer, () =>
      Promise.all([
        concurrently(WRITERS, (i) =>
          h.call<{ applied: boolean }>('PUT', `/internal/tasks/${task.task_uid}`, {
            body: { task_uid: task.task_uid, title: `v${i + 2}`, knowledge_area: 'Go', manager_uid: managers[i], version: i + 2 },
          }),
        ),
        concurrently(5, (i) => h.call<{ task_manager_uid: string }>('POST', `/tasks/${task.task_uid}/solutions`, { body: { candidate_uid: candidates[i] } })),
      ]),
    );
    const applied = expectOnly2xxOr409(updates).filter((a) => a.body.applied);
    expectOnly2xxOr409(solutions);
    const newest = Math.max(...updates.flatMap((a, i) => (a.status === 200 && a.body.applied ? [i + 2] : [])));
    expect(applied.length).toBeGreaterThan(0);
    expect(await getItem(h.doc, h.tableName, taskKey(task.task_uid))).toMatchObject({ version: newest, title: `v${newest}`, manager_uid: managers[newest - 2] });
    // Each solution named a manager the task really had (the version it checked).
    for (const s of solutions.filter((a) => a.status === 201)) expect([task.manager_uid, ...managers]).toContain(s.body.task_manager_uid);
  });

  it(`POST /internal/assignments (assign_task): ${WRITERS} tasks assigned to one candidate at once, and one assignment delivered 5 times at once`, async () => {
    const candidate_uid = await h.newCandidate();
    const tasks = await concurrently(WRITERS, () => h.putTask());
    const answers = await withConflicts(layer, () =>
      concurrently(WRITERS, (i) =>
        h.call('POST', '/internal/assignments', { body: { assignment_id: uid(), task_uid: tasks[i]!.task_uid, candidate_uid, assigned_at: '2026-03-01T10:00:00Z' } }),
      ),
    );
    expect(expectOnly2xxOr409(answers).length).toBeGreaterThan(0);
    const body = { assignment_id: uid(), task_uid: (await h.putTask()).task_uid, candidate_uid, assigned_at: '2026-03-01T11:00:00Z' };
    const deliveries = await concurrently(5, () => h.call('POST', '/internal/assignments', { body }));
    const created = expectOnly2xxOr409(deliveries);
    for (const d of created) expect(d.body).toEqual(body);
    expect(await getItem(h.doc, h.tableName, assignmentIdKey(body.assignment_id))).toMatchObject({ task_uid: body.task_uid });
    const rows = (await scanAll(h.doc, h.tableName)).filter((r) => r.item_type === 'assignment' && r.task_uid === body.task_uid);
    expect(rows).toHaveLength(1);
  });

  it('POST /candidates: one Idempotency-Key sent by 6 clients at once -> one candidate, every 201 names it', async () => {
    const key = `cand-${uid()}`;
    const answers = await concurrently(6, () => h.call<{ candidate_uid: string }>('POST', '/candidates', { body: { name: 'Ada', surname: 'Byron' }, idempotencyKey: key }));
    const created = expectOnly2xxOr409(answers, ['request_in_progress']);
    expect(new Set(created.map((a) => a.body.candidate_uid)).size).toBe(1);
    const candidateUid = created[0]!.body.candidate_uid;
    expect(await getItem(h.doc, h.tableName, candidateKey(candidateUid))).toBeDefined();
    const events = (await outboxEvents(h.doc, h.tableName, 'NewCandidate')).filter((e) => e.payload.name === 'Ada' && e.payload.surname === 'Byron');
    expect(events).toHaveLength(1);
  });
});
