import { describe, expect, it } from 'vitest';
import { pendingCallKey } from '../../../lambdas/shared/calls/index.js';
import { ratingCall } from '../../../lambdas/hiring/handlers/rateTask.js';
import { ratingKey } from '../../../lambdas/hiring/keys.js';
import { getItem, uid } from '../../fixtures/hiring/factories.js';
import { hiringHarness, useHiringWithBonusStub } from '../../fixtures/hiring/harness.js';

const { h, bonus } = useHiringWithBonusStub({ callRetry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5 }, callTimeoutMs: 2000 });

const callRow = (taskUid: string, version: number) => getItem(h.doc, h.tableName, pendingCallKey(ratingCall({ task_uid: taskUid, rating: 1, version, rated_at: '' }).call_id));

describe('PUT /tasks/{task_uid}/rating', () => {
  it('stores the rating with version 1, then 2, and delivers each to bonus at once', async () => {
    bonus.down = false;
    const { task_uid } = await h.putTask();
    const first = await h.call('PUT', `/tasks/${task_uid}/rating`, { body: { rating: 4 } });
    expect(first).toMatchObject({ status: 200, body: { task_uid, rating: 4, version: 1 } });
    const second = await h.call('PUT', `/tasks/${task_uid}/rating`, { body: { rating: 2 } });
    expect(second).toMatchObject({ status: 200, body: { task_uid, rating: 2, version: 2 } });

    expect(await getItem(h.doc, h.tableName, ratingKey(task_uid))).toMatchObject({ rating: 2, version: 2 });
    const delivered = bonus.requests.filter((r) => r.url === `/v1/internal/tasks/${task_uid}/rating`);
    expect(delivered.map((r) => r.method)).toEqual(['PUT', 'PUT']);
    expect(delivered[1]?.body).toEqual({ task_uid, rating: 2, version: 2, rated_at: expect.any(String) });
    expect(delivered[1]?.headers['idempotency-key']).toBe(`rating-${task_uid}-v2`);
    expect(delivered[1]?.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 /);
    expect(await callRow(task_uid, 2)).toMatchObject({ status: 'delivered', target: 'bonus', method: 'PUT' });
  });

  it('answers 200 while bonus is down and keeps the call pending for later delivery', async () => {
    bonus.down = true;
    try {
      const { task_uid } = await h.putTask();
      const answer = await h.call('PUT', `/tasks/${task_uid}/rating`, { body: { rating: 5 } });
      expect(answer).toMatchObject({ status: 200, body: { task_uid, rating: 5, version: 1 } });
      expect(bonus.requests.some((r) => r.url.includes(task_uid))).toBe(true);
      expect(await callRow(task_uid, 1)).toMatchObject({
        status: 'pending',
        target: 'bonus',
        path: `/internal/tasks/${task_uid}/rating`,
        body: { task_uid, rating: 5, version: 1, rated_at: expect.any(String) },
      });
    } finally {
      bonus.down = false;
    }
  });

  it('keeps the call pending when no bonus URL is configured', async () => {
    const noBonus = await hiringHarness();
    const { task_uid } = await noBonus.putTask();
    const answer = await noBonus.call('PUT', `/tasks/${task_uid}/rating`, { body: { rating: 3 } });
    expect(answer.status).toBe(200);
    const row = await getItem(noBonus.doc, noBonus.tableName, pendingCallKey(`rating-${task_uid}-v1`));
    expect(row).toMatchObject({ status: 'pending' });
  });

  it('404s a task hiring does not know, writing nothing', async () => {
    const task_uid = uid();
    const answer = await h.call<{ error: { code: string; field: string } }>('PUT', `/tasks/${task_uid}/rating`, { body: { rating: 3 } });
    expect(answer.status).toBe(404);
    expect(answer.body.error).toMatchObject({ code: 'not_found', field: 'path.task_uid' });
    expect(await getItem(h.doc, h.tableName, ratingKey(task_uid))).toBeUndefined();
  });

  it.each([
    [{ rating: 0 }, 'body.rating'],
    [{ rating: 6 }, 'body.rating'],
    [{ rating: 4.5 }, 'body.rating'],
    [{ rating: '4' }, 'body.rating'],
    [{}, 'body.rating'],
    [{ rating: 3, comment: 'nice' }, 'body.comment'],
  ])('rejects %j with 400 naming %s', async (body, field) => {
    const { task_uid } = await h.putTask();
    const answer = await h.call<{ error: { code: string; field: string } }>('PUT', `/tasks/${task_uid}/rating`, { body });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({ code: 'validation_error', field });
  });

  it('400s a malformed task uid', async () => {
    const answer = await h.call<{ error: { field: string } }>('PUT', '/tasks/nope/rating', { body: { rating: 3 } });
    expect(answer.status).toBe(400);
    expect(answer.body.error.field).toBe('path.task_uid');
  });

  it('replays a retried rating with the same Idempotency-Key without a new version', async () => {
    const { task_uid } = await h.putTask();
    const key = uid();
    const first = await h.call('PUT', `/tasks/${task_uid}/rating`, { body: { rating: 4 }, idempotencyKey: key });
    const again = await h.call('PUT', `/tasks/${task_uid}/rating`, { body: { rating: 4 }, idempotencyKey: key });
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await getItem(h.doc, h.tableName, ratingKey(task_uid))).toMatchObject({ version: 1 });
  });

  it('gives concurrent ratings distinct, consecutive versions', async () => {
    const { task_uid } = await h.putTask();
    const answers = await Promise.all([1, 2, 3].map((rating) => h.call<{ version: number }>('PUT', `/tasks/${task_uid}/rating`, { body: { rating } })));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(answers.map((a) => a.body.version).sort()).toEqual([1, 2, 3]);
    expect(await getItem(h.doc, h.tableName, ratingKey(task_uid))).toMatchObject({ version: 3 });
  });
});
