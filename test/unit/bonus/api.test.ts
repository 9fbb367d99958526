import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { balanceOf, bonusHarness, ledgerOf, managerUpdated, ratingRequest } from './bonusHarness.js';

describe('bonus API', () => {
  let bonus: Awaited<ReturnType<typeof bonusHarness>>;
  beforeAll(async () => {
    bonus = await bonusHarness();
  });

  describe('PUT /internal/tasks/{task_uid}/rating', () => {
    it('stores a rating and keeps the newest version whatever the arrival order', async () => {
      const task = randomUUID();
      expect(await bonus.call(ratingRequest(task, 3, 2))).toMatchObject({ status: 200, body: { applied: true } });
      expect(await bonus.call(ratingRequest(task, 5, 1))).toMatchObject({ status: 200, body: { applied: false } });
      expect(await bonus.call(ratingRequest(task, 3, 2))).toMatchObject({ status: 200, body: { applied: false } });
      expect(await bonus.call(ratingRequest(task, 4, 3))).toMatchObject({ status: 200, body: { applied: true } });
    });

    it.each([
      [{ rating: 0 }, 'body.rating'],
      [{ rating: 6 }, 'body.rating'],
      [{ rating: 4.5 }, 'body.rating'],
      [{ rating: '4' }, 'body.rating'],
      [{ version: 0 }, 'body.version'],
      [{ rated_at: 'yesterday' }, 'body.rated_at'],
      [{ extra: true }, 'body.extra'],
    ])('answers 400 naming the field for %j', async (patch, field) => {
      const task = randomUUID();
      const request = ratingRequest(task, 4);
      const response = await bonus.call({ ...request, body: { ...(request.body as object), ...patch } });
      expect(response.status).toBe(400);
      expect(response.body.error?.field).toBe(field);
    });

    it('answers 400 when the body names another task than the path', async () => {
      const request = ratingRequest(randomUUID(), 4);
      const response = await bonus.call({ ...request, pathParameters: { task_uid: randomUUID() } });
      expect(response).toMatchObject({ status: 400, body: { error: { field: 'body.task_uid' } } });
    });

    it('answers 400 for a task id that is not a uuid', async () => {
      const request = ratingRequest(randomUUID(), 4);
      const response = await bonus.call({ ...request, pathParameters: { task_uid: 'task-1' } });
      expect(response.status).toBe(400);
      expect(response.body.error?.field).toBe('path.task_uid');
    });
  });

  describe('balance and ledger', () => {
    it('answers 404 for a manager bonus has never heard of', async () => {
      expect((await bonus.call(balanceOf(randomUUID()))).status).toBe(404);
      expect((await bonus.call(ledgerOf(randomUUID()))).status).toBe(404);
    });

    it('shows a zero balance and an empty ledger for a known manager without credits', async () => {
      const manager = randomUUID();
      await bonus.deliver(managerUpdated(manager, 1));
      expect(await bonus.call(balanceOf(manager))).toEqual({ status: 200, body: { manager_uid: manager, balance: 0, entries: 0 } });
      expect(await bonus.call(ledgerOf(manager))).toEqual({ status: 200, body: { manager_uid: manager, entries: [] } });
    });
  });
});
