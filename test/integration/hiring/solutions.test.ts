import { beforeAll, describe, expect, it } from 'vitest';
import { assignmentKey, solutionKey } from '../../../lambdas/hiring/keys.js';
import { getItem, outboxEvents, uid } from '../../fixtures/hiring/factories.js';
import { hiringHarness, type HiringHarness } from '../../fixtures/hiring/harness.js';

let h: HiringHarness;
beforeAll(async () => {
  h = await hiringHarness();
});

type Err = { error: { code: string; field?: string } };
const solvedEvents = async (taskUid: string) =>
  (await outboxEvents(h.doc, h.tableName, 'TaskSolved')).filter((e) => e.payload.task_uid === taskUid);

describe('POST /tasks/{task_uid}/solutions', () => {
  it('stores the solution and a TaskSolved v0 naming the task manager, in one transaction', async () => {
    const { candidate_uid, task_uid, manager_uid } = await h.assignedTask();
    const answer = await h.call('POST', `/tasks/${task_uid}/solutions`, { body: { candidate_uid } });
    expect(answer.status).toBe(201);
    expect(answer.body).toEqual({ task_uid, candidate_uid, solved_at: expect.any(String), task_manager_uid: manager_uid });
    const solved_at = answer.body.solved_at as string;

    expect(await getItem(h.doc, h.tableName, solutionKey(task_uid, candidate_uid))).toMatchObject({ task_manager_uid: manager_uid, solved_at });
    expect(await getItem(h.doc, h.tableName, assignmentKey(candidate_uid, task_uid))).toMatchObject({ solved_at });
    const events = await solvedEvents(task_uid);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      event_name: 'TaskSolved',
      event_version: '0',
      producer: 'hiring',
      payload: { task_uid, task_manager_uid: manager_uid, candidate_uid, solved_at },
    });
  });

  it('names the manager the task has at the moment of solving (changed by update_task before)', async () => {
    const { candidate_uid, task_uid, task } = await h.assignedTask();
    const newManager = uid();
    const update = await h.putTask({ ...task, manager_uid: newManager, version: 2 });
    expect(update.applied).toBe(true);
    const answer = await h.call('POST', `/tasks/${task_uid}/solutions`, { body: { candidate_uid } });
    expect(answer.body.task_manager_uid).toBe(newManager);
    expect((await solvedEvents(task_uid))[0]?.payload.task_manager_uid).toBe(newManager);
  });

  it('lets two candidates solve the same task: two events', async () => {
    const { candidate_uid, task_uid } = await h.assignedTask();
    const second = await h.newCandidate('Alan', 'Turing');
    await h.assign(task_uid, second);
    expect((await h.call('POST', `/tasks/${task_uid}/solutions`, { body: { candidate_uid } })).status).toBe(201);
    expect((await h.call('POST', `/tasks/${task_uid}/solutions`, { body: { candidate_uid: second } })).status).toBe(201);
    expect((await solvedEvents(task_uid)).map((e) => e.payload.candidate_uid).sort()).toEqual([candidate_uid, second].sort());
  });

  it('409 already_solved for a second solution by the same candidate, with no second event', async () => {
    const { candidate_uid, task_uid } = await h.assignedTask();
    await h.call('POST', `/tasks/${task_uid}/solutions`, { body: { candidate_uid } });
    const again = await h.call<Err>('POST', `/tasks/${task_uid}/solutions`, { body: { candidate_uid } });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('already_solved');
    expect(await solvedEvents(task_uid)).toHaveLength(1);
  });

  it('replays the first answer for the same Idempotency-Key instead of 409', async () => {
    const { candidate_uid, task_uid } = await h.assignedTask();
    const key = uid();
    const first = await h.call('POST', `/tasks/${task_uid}/solutions`, { body: { candidate_uid }, idempotencyKey: key });
    const again = await h.call('POST', `/tasks/${task_uid}/solutions`, { body: { candidate_uid }, idempotencyKey: key });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await solvedEvents(task_uid)).toHaveLength(1);
  });

  it('concurrent solutions by the same candidate: one 201, one 409, one event', async () => {
    const { candidate_uid, task_uid } = await h.assignedTask();
    const answers = await Promise.all([1, 2].map(() => h.call<Err>('POST', `/tasks/${task_uid}/solutions`, { body: { candidate_uid } })));
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409]);
    expect(await solvedEvents(task_uid)).toHaveLength(1);
  });

  it('409 not_assigned when the task is not assigned to the candidate', async () => {
    const candidate_uid = await h.newCandidate();
    const { task_uid } = await h.putTask();
    const answer = await h.call<Err>('POST', `/tasks/${task_uid}/solutions`, { body: { candidate_uid } });
    expect(answer.status).toBe(409);
    expect(answer.body.error.code).toBe('not_assigned');
    expect(await solvedEvents(task_uid)).toHaveLength(0);
  });

  it('404 for an unknown task or candidate', async () => {
    const candidate_uid = await h.newCandidate();
    const unknownTask = await h.call<Err>('POST', `/tasks/${uid()}/solutions`, { body: { candidate_uid } });
    expect(unknownTask.status).toBe(404);
    expect(unknownTask.body.error.field).toBe('path.task_uid');
    const { task_uid } = await h.putTask();
    const unknownCandidate = await h.call<Err>('POST', `/tasks/${task_uid}/solutions`, { body: { candidate_uid: uid() } });
    expect(unknownCandidate.status).toBe(404);
    expect(unknownCandidate.body.error.field).toBe('body.candidate_uid');
  });

  it.each([
    [{}, 'body.candidate_uid'],
    [{ candidate_uid: 'x' }, 'body.candidate_uid'],
    [{ candidate_uid: 7 }, 'body.candidate_uid'],
    [{ candidate_uid: '00000000-0000-4000-8000-000000000000', note: 'x' }, 'body.note'],
  ])('rejects %j with 400 naming %s', async (body, field) => {
    const answer = await h.call<Err>('POST', `/tasks/${uid()}/solutions`, { body });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({ code: 'validation_error', field });
  });

  it('400s a malformed task uid', async () => {
    const answer = await h.call<Err>('POST', '/tasks/123/solutions', { body: { candidate_uid: uid() } });
    expect(answer.status).toBe(400);
    expect(answer.body.error.field).toBe('path.task_uid');
  });
});

describe('POST /tasks/{task_uid}/update-requests', () => {
  it('answers 202 with a request_id and emits TaskUpdateRequested v0 carrying it', async () => {
    const { task_uid } = await h.putTask();
    const answer = await h.call<{ request_id: string }>('POST', `/tasks/${task_uid}/update-requests`, { body: { reason: 'typo in the statement' } });
    expect(answer.status).toBe(202);
    const { request_id } = answer.body;
    expect(request_id).toMatch(/^[0-9a-f-]{36}$/);
    const events = (await outboxEvents(h.doc, h.tableName, 'TaskUpdateRequested')).filter((e) => e.payload.task_uid === task_uid);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      event_version: '0',
      payload: { request_id, task_uid, reason: 'typo in the statement', requested_at: expect.any(String) },
    });
  });

  it('replays the same request_id for the same Idempotency-Key, with one event', async () => {
    const { task_uid } = await h.putTask();
    const key = uid();
    const first = await h.call('POST', `/tasks/${task_uid}/update-requests`, { body: { reason: 'outdated' }, idempotencyKey: key });
    const again = await h.call('POST', `/tasks/${task_uid}/update-requests`, { body: { reason: 'outdated' }, idempotencyKey: key });
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
    expect((await outboxEvents(h.doc, h.tableName, 'TaskUpdateRequested')).filter((e) => e.payload.task_uid === task_uid)).toHaveLength(1);
  });

  it('404s a task hiring does not know', async () => {
    const answer = await h.call<Err>('POST', `/tasks/${uid()}/update-requests`, { body: { reason: 'x' } });
    expect(answer.status).toBe(404);
  });

  it.each([
    [{}, 'body.reason'],
    [{ reason: '' }, 'body.reason'],
    [{ reason: 5 }, 'body.reason'],
    [{ reason: 'x', urgent: true }, 'body.urgent'],
  ])('rejects %j with 400 naming %s', async (body, field) => {
    const answer = await h.call<Err>('POST', `/tasks/${uid()}/update-requests`, { body });
    expect(answer.status).toBe(400);
    expect(answer.body.error.field).toBe(field);
  });
});
