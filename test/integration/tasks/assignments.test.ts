import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
});

import { useTasksApiHarness } from './setup.js';

const h = useTasksApiHarness();

/** A candidate as the NewCandidate consumer stores it. */
async function givenCandidate(): Promise<string> {
  const candidate_uid = randomUUID();
  await h.doc.send(
    new PutCommand({
      TableName: h.tableName,
      Item: { pk: `CANDIDATE#${candidate_uid}`, sk: 'CANDIDATE', item_type: 'candidate', candidate_uid, name: 'M', surname: 'B', registered_at: new Date().toISOString() },
    }),
  );
  return candidate_uid;
}

const assignCallsFor = async (taskUid: string) =>
  (await h.table.rows('CALL#')).filter((row) => row.path === '/internal/assignments' && (row.body as { task_uid: string }).task_uid === taskUid);

describe('POST /tasks/{task_uid}/assignments', () => {
  it('stores the assignment and calls hiring assign_task with the call id as Idempotency-Key', async () => {
    const task_uid = await h.givenTask();
    const candidate_uid = await givenCandidate();
    const response = await h.api.assign(task_uid, { candidate_uid });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({ assignment_id: expect.stringMatching(/^[0-9a-f-]{36}$/), task_uid, candidate_uid });

    const stored = await h.table.get(`TASK#${task_uid}`, `ASSIGNMENT#${candidate_uid}`);
    expect(stored).toMatchObject({ assignment_id: response.body.assignment_id, task_uid, candidate_uid, assigned_at: expect.any(String) });

    const calls = await assignCallsFor(task_uid);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      target: 'hiring', method: 'POST', status: 'delivered',
      body: { assignment_id: response.body.assignment_id, task_uid, candidate_uid, assigned_at: stored!.assigned_at },
    });
    const request = h.hiring.state.requests.find((r) => r.url.endsWith('/internal/assignments') && (r.body as { task_uid: string }).task_uid === task_uid);
    expect(request).toMatchObject({ method: 'POST', body: calls[0]!.body });
    expect(request!.headers['idempotency-key']).toBe(calls[0]!.call_id);
  });

  it('answers 201 when hiring is down and keeps the call pending', async () => {
    const task_uid = await h.givenTask();
    const candidate_uid = await givenCandidate();
    h.hiring.state.up = false;
    const response = await h.api.assign(task_uid, { candidate_uid });
    expect(response.status).toBe(201);
    const calls = await assignCallsFor(task_uid);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.status).toBe('pending');
  });

  it('answers 409 for a second assignment of the same task to the same candidate', async () => {
    const task_uid = await h.givenTask();
    const candidate_uid = await givenCandidate();
    expect((await h.api.assign(task_uid, { candidate_uid })).status).toBe(201);
    const again = await h.api.assign(task_uid, { candidate_uid });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('already_assigned');
    expect(await assignCallsFor(task_uid)).toHaveLength(1);
  });

  it('replays the first answer for the same Idempotency-Key: one assignment, one call', async () => {
    const task_uid = await h.givenTask();
    const candidate_uid = await givenCandidate();
    const key = randomUUID();
    const first = await h.api.assign(task_uid, { candidate_uid }, { 'Idempotency-Key': key });
    const second = await h.api.assign(task_uid, { candidate_uid }, { 'Idempotency-Key': key });
    expect(first.status).toBe(201);
    expect(second).toMatchObject({ status: 201, body: first.body });
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(await assignCallsFor(task_uid)).toHaveLength(1);
  });

  it('answers 404 for an unknown task', async () => {
    const candidate_uid = await givenCandidate();
    const response = await h.api.assign(randomUUID(), { candidate_uid });
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('not_found');
  });

  it('answers 404 naming candidate_uid for a candidate tasks has not learnt yet', async () => {
    const task_uid = await h.givenTask();
    const response = await h.api.assign(task_uid, { candidate_uid: randomUUID() });
    expect(response.status).toBe(404);
    expect(response.body.error).toMatchObject({ code: 'not_found', field: 'body.candidate_uid' });
    expect(await assignCallsFor(task_uid)).toHaveLength(0);
  });

  it.each([
    ['missing field', {}, 'body.candidate_uid'],
    ['extra field', { candidate_uid: randomUUID(), note: 'x' }, 'body.note'],
    ['wrong type', { candidate_uid: 12 }, 'body.candidate_uid'],
    ['bad uuid', { candidate_uid: 'candidate-1' }, 'body.candidate_uid'],
  ])('answers 400 naming the field for a %s', async (_case, body, field) => {
    const response = await h.api.assign(randomUUID(), body);
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ code: 'validation_error', field });
  });

  it('answers 400 for a malformed task uid in the path', async () => {
    const response = await h.api.assign('nope', { candidate_uid: randomUUID() });
    expect(response.status).toBe(400);
    expect(response.body.error.field).toBe('path.task_uid');
  });
});
