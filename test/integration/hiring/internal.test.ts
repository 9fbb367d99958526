import { beforeAll, describe, expect, it } from 'vitest';
import { assignmentKey, taskKey } from '../../../lambdas/hiring/keys.js';
import { getItem, scanAll, uid } from '../../fixtures/hiring/factories.js';
import { hiringHarness, type HiringHarness } from '../../fixtures/hiring/harness.js';

let h: HiringHarness;
beforeAll(async () => {
  h = await hiringHarness();
});

type Err = { error: { code: string; field?: string } };
const taskBody = (task_uid: string, version: number, extra: Record<string, unknown> = {}) => ({
  task_uid,
  title: `Title v${version}`,
  knowledge_area: 'Algorithms',
  manager_uid: '7e6d5c4b-3a29-4817-a6b5-c4d3e2f1a0b9',
  version,
  ...extra,
});

describe('PUT /internal/tasks/{task_uid} (update_task)', () => {
  it('stores a new task and applies newer versions only (last-write-wins)', async () => {
    const task_uid = uid();
    const put = (version: number) => h.call<{ applied: boolean }>('PUT', `/internal/tasks/${task_uid}`, { body: taskBody(task_uid, version) });
    expect(await put(2)).toMatchObject({ status: 200, body: { applied: true } });
    expect(await put(1)).toMatchObject({ status: 200, body: { applied: false } });
    expect(await put(2)).toMatchObject({ status: 200, body: { applied: false } });
    expect(await getItem(h.doc, h.tableName, taskKey(task_uid))).toMatchObject({ version: 2, title: 'Title v2' });
    expect(await put(3)).toMatchObject({ status: 200, body: { applied: true } });
    expect(await getItem(h.doc, h.tableName, taskKey(task_uid))).toMatchObject({ version: 3, title: 'Title v3' });
  });

  it('ends with the newest version whatever the arrival order', async () => {
    for (const order of [[1, 2, 3, 4], [4, 3, 2, 1], [2, 4, 1, 3]]) {
      const task_uid = uid();
      for (const version of order) await h.call('PUT', `/internal/tasks/${task_uid}`, { body: taskBody(task_uid, version) });
      expect(await getItem(h.doc, h.tableName, taskKey(task_uid))).toMatchObject({ version: 4, title: 'Title v4' });
    }
    const task_uid = uid();
    await Promise.all([5, 1, 3, 2, 4].map((version) => h.call('PUT', `/internal/tasks/${task_uid}`, { body: taskBody(task_uid, version) })));
    expect(await getItem(h.doc, h.tableName, taskKey(task_uid))).toMatchObject({ version: 5 });
  });

  it('keeps the optional description and drops it when a newer version has none', async () => {
    const task_uid = uid();
    await h.call('PUT', `/internal/tasks/${task_uid}`, { body: taskBody(task_uid, 1, { description: 'Implement it in O(n)' }) });
    expect(await getItem(h.doc, h.tableName, taskKey(task_uid))).toMatchObject({ description: 'Implement it in O(n)' });
    await h.call('PUT', `/internal/tasks/${task_uid}`, { body: taskBody(task_uid, 2) });
    expect((await getItem(h.doc, h.tableName, taskKey(task_uid)))?.description).toBeUndefined();
  });

  it('400s a body naming another task than the path', async () => {
    const answer = await h.call<Err>('PUT', `/internal/tasks/${uid()}`, { body: taskBody(uid(), 1) });
    expect(answer.status).toBe(400);
    expect(answer.body.error.field).toBe('body.task_uid');
  });

  it.each([
    ['title', { title: undefined }, 'body.title'],
    ['version', { version: undefined }, 'body.version'],
    ['version 0', { version: 0 }, 'body.version'],
    ['version 1.5', { version: 1.5 }, 'body.version'],
    ['version as string', { version: '2' }, 'body.version'],
    ['bad manager uid', { manager_uid: 'boss' }, 'body.manager_uid'],
    ['extra field', { priority: 1 }, 'body.priority'],
  ])('400s %s', async (_name, change, field) => {
    const task_uid = uid();
    const answer = await h.call<Err>('PUT', `/internal/tasks/${task_uid}`, { body: { ...taskBody(task_uid, 1), ...change } });
    expect(answer.status).toBe(400);
    expect(answer.body.error.field).toBe(field);
  });
});

describe('POST /internal/assignments (assign_task)', () => {
  it('assigns a task to a known candidate', async () => {
    const candidate_uid = await h.newCandidate();
    const body = { assignment_id: uid(), task_uid: uid(), candidate_uid, assigned_at: '2025-03-01T10:00:00Z' };
    const answer = await h.call('POST', '/internal/assignments', { body });
    expect(answer).toMatchObject({ status: 201, body });
    expect(await getItem(h.doc, h.tableName, assignmentKey(candidate_uid, body.task_uid))).toMatchObject({
      assignment_id: body.assignment_id,
      assigned_at: body.assigned_at,
    });
  });

  it('is idempotent by assignment_id: a second delivery gets the same 201 and changes nothing', async () => {
    const candidate_uid = await h.newCandidate();
    const body = { assignment_id: uid(), task_uid: uid(), candidate_uid, assigned_at: '2025-03-01T10:00:00Z' };
    const first = await h.call('POST', '/internal/assignments', { body, idempotencyKey: uid() });
    const before = await scanAll(h.doc, h.tableName);
    const second = await h.call('POST', '/internal/assignments', { body, idempotencyKey: uid() });
    const third = await h.call('POST', '/internal/assignments', { body });
    expect(second).toMatchObject({ status: 201, body: first.body });
    expect(third).toMatchObject({ status: 201, body: first.body });
    const after = await scanAll(h.doc, h.tableName);
    // Only idempotency records of the new keys may appear; no assignment changed.
    const domain = (rows: Record<string, unknown>[]) => rows.filter((r) => !String(r.pk).startsWith('IDEMPOTENCY#'));
    expect(domain(after)).toEqual(domain(before));
  });

  it('replays the same answer for the same Idempotency-Key', async () => {
    const candidate_uid = await h.newCandidate();
    const body = { assignment_id: uid(), task_uid: uid(), candidate_uid, assigned_at: '2025-03-01T10:00:00Z' };
    const key = uid();
    const first = await h.call('POST', '/internal/assignments', { body, idempotencyKey: key });
    const again = await h.call('POST', '/internal/assignments', { body, idempotencyKey: key });
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
  });

  it('concurrent deliveries of one assignment: both 201, one assignment', async () => {
    const candidate_uid = await h.newCandidate();
    const body = { assignment_id: uid(), task_uid: uid(), candidate_uid, assigned_at: '2025-03-01T10:00:00Z' };
    const answers = await Promise.all([1, 2, 3].map(() => h.call('POST', '/internal/assignments', { body })));
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201]);
  });

  it('404s (field candidate_uid) an unknown candidate, writing nothing', async () => {
    const body = { assignment_id: uid(), task_uid: uid(), candidate_uid: uid(), assigned_at: '2025-03-01T10:00:00Z' };
    const answer = await h.call<Err>('POST', '/internal/assignments', { body });
    expect(answer.status).toBe(404);
    expect(answer.body.error.field).toBe('body.candidate_uid');
    expect(await getItem(h.doc, h.tableName, assignmentKey(body.candidate_uid, body.task_uid))).toBeUndefined();
    // The candidate arrives later: the same delivery now succeeds.
  });

  it('409s an assignment_id reused for another assignment, and another id for an existing assignment', async () => {
    const candidate_uid = await h.newCandidate();
    const body = { assignment_id: uid(), task_uid: uid(), candidate_uid, assigned_at: '2025-03-01T10:00:00Z' };
    await h.call('POST', '/internal/assignments', { body });
    const reused = await h.call<Err>('POST', '/internal/assignments', { body: { ...body, task_uid: uid() } });
    expect(reused.status).toBe(409);
    expect(reused.body.error.code).toBe('assignment_id_reused');
    const other = await h.call<Err>('POST', '/internal/assignments', { body: { ...body, assignment_id: uid() } });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('already_assigned');
  });

  it.each([
    [{ assignment_id: undefined }, 'body.assignment_id'],
    [{ candidate_uid: 'c' }, 'body.candidate_uid'],
    [{ assigned_at: 'yesterday' }, 'body.assigned_at'],
    [{ assigned_at: '2025-13-45T99:00:00Z' }, 'body.assigned_at'],
    [{ assigned_at: 1700000000 }, 'body.assigned_at'],
    [{ extra: 1 }, 'body.extra'],
  ])('400s %j naming %s', async (change, field) => {
    const body = { assignment_id: uid(), task_uid: uid(), candidate_uid: uid(), assigned_at: '2025-03-01T10:00:00Z', ...change };
    const answer = await h.call<Err>('POST', '/internal/assignments', { body });
    expect(answer.status).toBe(400);
    expect(answer.body.error.field).toBe(field);
  });
});
