import { randomUUID } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
});

import { useTasksApiHarness } from './setup.js';

const h = useTasksApiHarness();

/** The pending-call rows whose body is about `taskUid`, oldest version first. */
const callsFor = async (taskUid: string) =>
  (await h.table.rows('CALL#'))
    .filter((row) => (row.body as { task_uid?: string }).task_uid === taskUid)
    .sort((a, b) => (a.body as { version: number }).version - (b.body as { version: number }).version);
const hiringRequestsFor = (taskUid: string) => h.hiring.state.requests.filter((r) => (r.body as { task_uid?: string }).task_uid === taskUid);
const taskCreatedEventsFor = async (taskUid: string) =>
  (await h.table.rows('OUTBOX#')).map((row) => row.event as { event_name: string; payload: { task_uid?: string } }).filter((e) => e.payload.task_uid === taskUid);

describe('POST /tasks', () => {
  it('stores the task, TaskCreated v1 and the pending update_task call together, then pushes the task to hiring', async () => {
    const manager_uid = await h.givenManager();
    const response = await h.api.createTask({ title: 'FizzBuzz', knowledge_area: 'Go', manager_uid, description: 'Print numbers' });
    expect(response.status).toBe(201);
    const { task_uid } = response.body;
    expect(Object.keys(response.body)).toEqual(['task_uid']);

    expect(await h.table.get(`TASK#${task_uid}`, 'TASK')).toMatchObject({
      task_uid, title: 'FizzBuzz', knowledge_area: 'Go', manager_uid, description: 'Print numbers', version: 1, needs_update: false,
    });
    const events = await taskCreatedEventsFor(task_uid);
    expect(events).toEqual([
      expect.objectContaining({ event_name: 'TaskCreated', event_version: '1', producer: 'tasks', payload: { task_uid, knowledge_area: 'Go', title: 'FizzBuzz', manager_uid } }),
    ]);

    const calls = await callsFor(task_uid);
    expect(calls).toHaveLength(1);
    const expectedBody = { task_uid, title: 'FizzBuzz', knowledge_area: 'Go', manager_uid, description: 'Print numbers', version: 1 };
    expect(calls[0]).toMatchObject({ target: 'hiring', method: 'PUT', path: `/internal/tasks/${task_uid}`, body: expectedBody, status: 'delivered' });

    const requests = hiringRequestsFor(task_uid);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ method: 'PUT', url: `${h.hiring.baseUrl}/internal/tasks/${task_uid}`, body: expectedBody });
    expect(requests[0]!.headers['idempotency-key']).toBe(calls[0]!.call_id);
    expect(requests[0]!.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 /);
  });

  it('answers 201 when hiring is down and leaves the call pending for later delivery', async () => {
    const manager_uid = await h.givenManager();
    h.hiring.state.up = false;
    const response = await h.api.createTask({ title: 'Down', knowledge_area: 'Ops', manager_uid });
    expect(response.status).toBe(201);
    const { task_uid } = response.body;
    const calls = await callsFor(task_uid);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ status: 'pending', body: { task_uid, title: 'Down', knowledge_area: 'Ops', manager_uid, version: 1 } });
    expect(calls[0]!.body).not.toHaveProperty('description');
    expect(await h.table.get(`TASK#${task_uid}`, 'TASK')).toBeDefined();
  });

  it('answers 404 naming manager_uid for an unknown manager, and writes nothing', async () => {
    const manager_uid = randomUUID();
    const before = (await h.table.rows('TASK#')).length;
    const response = await h.api.createTask({ title: 'X', knowledge_area: 'Y', manager_uid });
    expect(response.status).toBe(404);
    expect(response.body.error).toMatchObject({ code: 'not_found', field: 'body.manager_uid' });
    expect((await h.table.rows('TASK#')).length).toBe(before);
  });

  it.each([
    ['missing title', { knowledge_area: 'Go', manager_uid: randomUUID() }, 'body.title'],
    ['missing knowledge_area', { title: 'T', manager_uid: randomUUID() }, 'body.knowledge_area'],
    ['extra field', { title: 'T', knowledge_area: 'Go', manager_uid: randomUUID(), rating: 5 }, 'body.rating'],
    ['wrong type', { title: ['T'], knowledge_area: 'Go', manager_uid: randomUUID() }, 'body.title'],
    ['bad uuid', { title: 'T', knowledge_area: 'Go', manager_uid: 'manager-1' }, 'body.manager_uid'],
    ['too long title', { title: 'x'.repeat(201), knowledge_area: 'Go', manager_uid: randomUUID() }, 'body.title'],
  ])('answers 400 naming the field for a %s', async (_case, body, field) => {
    const response = await h.api.createTask(body);
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ code: 'validation_error', field });
  });

  it('replays the answer for the same Idempotency-Key: one task, one event, one call', async () => {
    const manager_uid = await h.givenManager();
    const key = `create-task-${randomUUID()}`;
    const body = { title: 'Once', knowledge_area: 'Go', manager_uid };
    const first = await h.api.createTask(body, { 'Idempotency-Key': key });
    const second = await h.api.createTask(body, { 'Idempotency-Key': key });
    expect(first.status).toBe(201);
    expect(second).toMatchObject({ status: 201, body: first.body });
    expect(second.headers['idempotent-replayed']).toBe('true');
    const tasks = (await h.table.rows('TASK#')).filter((row) => row.sk === 'TASK' && row.manager_uid === manager_uid);
    expect(tasks).toHaveLength(1);
    expect(await taskCreatedEventsFor(first.body.task_uid)).toHaveLength(1);
    expect(await callsFor(first.body.task_uid)).toHaveLength(1);
    expect(hiringRequestsFor(first.body.task_uid)).toHaveLength(1);
  });
});

describe('GET /tasks/{task_uid}', () => {
  it('returns the task with its update requests', async () => {
    const manager_uid = await h.givenManager();
    const task_uid = await h.givenTask({ manager_uid, title: 'Read me' });
    const response = await h.api.getTask(task_uid);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      task_uid, title: 'Read me', knowledge_area: 'Go', manager_uid, version: 1, needs_update: false,
      created_at: expect.any(String), updated_at: expect.any(String), update_requests: [],
    });
  });

  it('answers 404 for an unknown task and 400 for a malformed uid', async () => {
    expect((await h.api.getTask(randomUUID())).status).toBe(404);
    const bad = await h.api.getTask('123');
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('path.task_uid');
  });
});

describe('PUT /tasks/{task_uid}', () => {
  it('bumps the version and pushes the full new state to hiring (no event)', async () => {
    const task_uid = await h.givenTask({ description: 'old text' });
    const outboxBefore = (await taskCreatedEventsFor(task_uid)).length;
    const other = await h.givenManager();
    const response = await h.api.updateTask(task_uid, { title: 'FizzBuzz v2', manager_uid: other });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ task_uid, title: 'FizzBuzz v2', knowledge_area: 'Go', manager_uid: other, description: 'old text', version: 2 });

    const calls = await callsFor(task_uid);
    expect(calls.map((c) => [(c.body as { version: number }).version, c.status])).toEqual([[1, 'delivered'], [2, 'delivered']]);
    expect(calls[1]!.body).toEqual({ task_uid, title: 'FizzBuzz v2', knowledge_area: 'Go', manager_uid: other, description: 'old text', version: 2 });
    expect(hiringRequestsFor(task_uid).map((r) => (r.body as { version: number }).version)).toEqual([1, 2]);
    expect((await taskCreatedEventsFor(task_uid)).length).toBe(outboxBefore);
  });

  it('keeps the update and its pending call when hiring is down', async () => {
    const task_uid = await h.givenTask();
    h.hiring.state.up = false;
    const response = await h.api.updateTask(task_uid, { knowledge_area: 'Rust' });
    expect(response.status).toBe(200);
    const calls = await callsFor(task_uid);
    expect(calls[1]).toMatchObject({ status: 'pending', body: { knowledge_area: 'Rust', version: 2 } });
  });

  it('applies two concurrent updates one after the other (one retry on a lost race)', async () => {
    const task_uid = await h.givenTask();
    const [a, b] = await Promise.all([h.api.updateTask(task_uid, { title: 'A' }), h.api.updateTask(task_uid, { description: 'B' })]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect((await h.api.getTask(task_uid)).body).toMatchObject({ title: 'A', description: 'B', version: 3 });
  });

  it('answers 404 for an unknown task, 404 naming manager_uid for an unknown manager', async () => {
    expect((await h.api.updateTask(randomUUID(), { title: 'X' })).status).toBe(404);
    const task_uid = await h.givenTask();
    const response = await h.api.updateTask(task_uid, { manager_uid: randomUUID() });
    expect(response.status).toBe(404);
    expect(response.body.error.field).toBe('body.manager_uid');
    expect((await h.api.getTask(task_uid)).body.version).toBe(1);
  });

  it('answers 400 for an empty body, an unknown field, a wrong type', async () => {
    const task_uid = await h.givenTask();
    expect((await h.api.updateTask(task_uid, {})).body.error).toMatchObject({ code: 'validation_error', field: 'body' });
    expect((await h.api.updateTask(task_uid, { version: 9 })).body.error).toMatchObject({ field: 'body.version' });
    expect((await h.api.updateTask(task_uid, { description: null })).body.error).toMatchObject({ field: 'body.description' });
  });
});
