import { randomUUID } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
});

import { managerBody, useTasksApiHarness } from './setup.js';

const h = useTasksApiHarness();

const outboxEventsOf = async (managerUid: string) =>
  (await h.table.rows('OUTBOX#'))
    .map((row) => row.event as { event_name: string; event_version: string; payload: { manager_uid: string; version: number } })
    .filter((event) => event.payload.manager_uid === managerUid)
    .sort((a, b) => a.payload.version - b.payload.version);

describe('POST /managers', () => {
  it('creates the manager at version 1 and its ManagerUpdated v1 event in the outbox', async () => {
    const body = managerBody();
    const response = await h.api.createManager(body);
    expect(response.status).toBe(201);
    const { manager_uid } = response.body;
    expect(manager_uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(Object.keys(response.body)).toEqual(['manager_uid']);

    const stored = await h.table.get(`MANAGER#${manager_uid}`, 'MANAGER');
    expect(stored).toMatchObject({ ...body, manager_uid, version: 1, item_type: 'manager' });

    const events = await outboxEventsOf(manager_uid);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      event_name: 'ManagerUpdated',
      event_version: '1',
      producer: 'tasks',
      payload: { manager_uid, login: body.login, payout_account: body.payout_account, version: 1 },
    });
  });

  it.each([
    ['missing field', { name: 'A', surname: 'B', login: 'abc' }, 'body.payout_account'],
    ['extra field', { ...managerBody(), email: 'a@b.c' }, 'body.email'],
    ['wrong type', { ...managerBody(), name: 42 }, 'body.name'],
    ['empty string', { ...managerBody(), surname: '' }, 'body.surname'],
    ['blank string', { ...managerBody(), name: '   ' }, 'body.name'],
    ['bad login', { ...managerBody(), login: 'A B' }, 'body.login'],
  ])('answers 400 naming the field for a %s', async (_case, body, field) => {
    const response = await h.api.createManager(body);
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ code: 'validation_error', field });
  });

  it('answers 400 for a body that is not JSON', async () => {
    const response = await h.call({ method: 'POST', resource: '/managers', body: '{nope' });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('invalid_json');
  });

  it('replays the answer for the same Idempotency-Key without creating a second manager or event', async () => {
    const body = managerBody();
    const key = randomUUID();
    const first = await h.api.createManager(body, { 'Idempotency-Key': key });
    const second = await h.api.createManager(body, { 'Idempotency-Key': key });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers['idempotent-replayed']).toBe('true');
    const managers = (await h.table.rows('MANAGER#')).filter((row) => row.login === body.login);
    expect(managers).toHaveLength(1);
    expect(await outboxEventsOf(first.body.manager_uid)).toHaveLength(1);
  });

  it('answers 422 when an Idempotency-Key is reused for another body', async () => {
    const key = randomUUID();
    expect((await h.api.createManager(managerBody(), { 'Idempotency-Key': key })).status).toBe(201);
    const reused = await h.api.createManager(managerBody(), { 'Idempotency-Key': key });
    expect(reused.status).toBe(422);
    expect(reused.body.error.code).toBe('idempotency_key_reused');
  });
});

describe('GET /managers/{manager_uid}', () => {
  it('returns the manager without table keys', async () => {
    const body = managerBody();
    const manager_uid = (await h.api.createManager(body)).body.manager_uid;
    const response = await h.api.getManager(manager_uid);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ ...body, manager_uid, version: 1, created_at: expect.any(String), updated_at: expect.any(String) });
  });

  it('answers 404 for an unknown manager and 400 for a malformed uid', async () => {
    expect((await h.api.getManager(randomUUID())).status).toBe(404);
    const bad = await h.api.getManager('not-a-uuid');
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('path.manager_uid');
  });
});

describe('PUT /managers/{manager_uid}', () => {
  it('changes the given fields, bumps the version and emits ManagerUpdated v1 with it', async () => {
    const body = managerBody();
    const manager_uid = (await h.api.createManager(body)).body.manager_uid;
    const response = await h.api.updateManager(manager_uid, { login: 'ada.l', payout_account: 'NEW-ACC' });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ manager_uid, name: body.name, surname: body.surname, login: 'ada.l', payout_account: 'NEW-ACC', version: 2 });
    expect((await h.api.getManager(manager_uid)).body.version).toBe(2);
    const events = await outboxEventsOf(manager_uid);
    expect(events.map((e) => e.payload)).toEqual([
      { manager_uid, login: body.login, payout_account: body.payout_account, version: 1 },
      { manager_uid, login: 'ada.l', payout_account: 'NEW-ACC', version: 2 },
    ]);
  });

  it('answers 400 for an empty body, an unknown field or a wrong type', async () => {
    const manager_uid = (await h.api.createManager()).body.manager_uid;
    const empty = await h.api.updateManager(manager_uid, {});
    expect(empty.status).toBe(400);
    expect(empty.body.error.field).toBe('body');
    const extra = await h.api.updateManager(manager_uid, { nickname: 'x' });
    expect(extra.body.error).toMatchObject({ code: 'validation_error', field: 'body.nickname' });
    const typed = await h.api.updateManager(manager_uid, { payout_account: 7 });
    expect(typed.body.error).toMatchObject({ code: 'validation_error', field: 'body.payout_account' });
  });

  it('answers 404 for an unknown manager', async () => {
    const response = await h.api.updateManager(randomUUID(), { name: 'X' });
    expect(response.status).toBe(404);
  });

  it('retries once when it loses a version race, so both concurrent updates apply', async () => {
    const manager_uid = (await h.api.createManager()).body.manager_uid;
    const [a, b] = await Promise.all([h.api.updateManager(manager_uid, { name: 'First' }), h.api.updateManager(manager_uid, { surname: 'Second' })]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect([a.body.version, b.body.version].sort()).toEqual([2, 3]);
    const final = (await h.api.getManager(manager_uid)).body;
    expect(final).toMatchObject({ name: 'First', surname: 'Second', version: 3 });
    expect((await outboxEventsOf(manager_uid)).map((e) => e.payload.version)).toEqual([1, 2, 3]);
  });
});
