import { beforeAll, describe, expect, it } from 'vitest';
import { candidateKey } from '../../../lambdas/hiring/keys.js';
import { getItem, outboxEvents, uid } from '../../fixtures/hiring/factories.js';
import { hiringHarness, type HiringHarness } from '../../fixtures/hiring/harness.js';

let h: HiringHarness;
beforeAll(async () => {
  h = await hiringHarness();
});

describe('POST /candidates', () => {
  it('creates the candidate and its NewCandidate v0 outbox event together', async () => {
    const answer = await h.call<{ candidate_uid: string }>('POST', '/candidates', { body: { name: 'Grace', surname: 'Hopper' } });
    expect(answer.status).toBe(201);
    const { candidate_uid } = answer.body;
    expect(candidate_uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(await getItem(h.doc, h.tableName, candidateKey(candidate_uid))).toMatchObject({ candidate_uid, name: 'Grace', surname: 'Hopper' });
    const events = (await outboxEvents(h.doc, h.tableName, 'NewCandidate')).filter((e) => e.payload.candidate_uid === candidate_uid);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ event_version: '0', producer: 'hiring', payload: { candidate_uid, name: 'Grace', surname: 'Hopper' } });
  });

  it.each([
    [{ surname: 'Hopper' }, 'body.name'],
    [{ name: 'Grace' }, 'body.surname'],
    [{ name: 'Grace', surname: 'Hopper', age: 3 }, 'body.age'],
    [{ name: 42, surname: 'Hopper' }, 'body.name'],
    [{ name: '', surname: 'Hopper' }, 'body.name'],
    [{ name: 'Grace', surname: '   ' }, 'body.surname'],
  ])('rejects %j with 400 naming %s', async (body, field) => {
    const answer = await h.call<{ error: { code: string; field: string } }>('POST', '/candidates', { body });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({ code: 'validation_error', field });
  });

  it('rejects a body that is not JSON', async () => {
    const answer = await h.call<{ error: { code: string } }>('POST', '/candidates', { rawBody: '{"name":' });
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('invalid_json');
  });

  it('replays the same answer for the same Idempotency-Key, with no second candidate or event', async () => {
    const key = `create-${uid()}`;
    const body = { name: 'Alan', surname: 'Turing' };
    const first = await h.call<{ candidate_uid: string }>('POST', '/candidates', { body, idempotencyKey: key });
    const second = await h.call<{ candidate_uid: string }>('POST', '/candidates', { body, idempotencyKey: key });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers['idempotent-replayed']).toBe('true');
    const events = (await outboxEvents(h.doc, h.tableName, 'NewCandidate')).filter((e) => e.payload.name === 'Alan');
    expect(events).toHaveLength(1);
  });

  it('refuses the same Idempotency-Key for another body', async () => {
    const key = `create-${uid()}`;
    await h.call('POST', '/candidates', { body: { name: 'Ada', surname: 'Byron' }, idempotencyKey: key });
    const other = await h.call<{ error: { code: string } }>('POST', '/candidates', { body: { name: 'Ada', surname: 'King' }, idempotencyKey: key });
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe('idempotency_key_reused');
  });
});

describe('GET /candidates/{candidate_uid}', () => {
  it('answers the candidate with its tasks, their manager display name and solved_at', async () => {
    const { candidate_uid, task_uid, manager_uid } = await h.assignedTask();
    const other = await h.putTask({ title: 'Design a cache', knowledge_area: 'Systems' });
    await h.assign(other.task_uid, candidate_uid, '2025-03-02T10:00:00Z');
    await h.call('POST', `/tasks/${task_uid}/solutions`, { body: { candidate_uid } });

    const answer = await h.call<Record<string, unknown>>('GET', `/candidates/${candidate_uid}`);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      candidate_uid,
      name: 'Grace',
      surname: 'Hopper',
      tasks: [
        {
          task_uid,
          title: 'Reverse a linked list',
          knowledge_area: 'Algorithms',
          manager: { manager_uid, display_name: null },
          assigned_at: '2025-03-01T10:00:00Z',
          solved_at: expect.any(String),
        },
        {
          task_uid: other.task_uid,
          title: 'Design a cache',
          knowledge_area: 'Systems',
          manager: { manager_uid: other.manager_uid, display_name: null },
          assigned_at: '2025-03-02T10:00:00Z',
        },
      ],
    });
  });

  it('answers a candidate without tasks', async () => {
    const candidate_uid = await h.newCandidate('Linus', 'Torvalds');
    const answer = await h.call('GET', `/candidates/${candidate_uid}`);
    expect(answer.body).toEqual({ candidate_uid, name: 'Linus', surname: 'Torvalds', tasks: [] });
  });

  it('404s an unknown candidate', async () => {
    const answer = await h.call<{ error: { code: string } }>('GET', `/candidates/${uid()}`);
    expect(answer.status).toBe(404);
    expect(answer.body.error.code).toBe('not_found');
  });

  it('400s a malformed uuid naming the path parameter', async () => {
    for (const bad of ['not-a-uuid', '123e4567-e89b-12d3-a456-426614174000']) {
      const answer = await h.call<{ error: { field: string } }>('GET', `/candidates/${bad}`);
      expect(answer.status).toBe(400);
      expect(answer.body.error.field).toBe('path.candidate_uid');
    }
  });
});
