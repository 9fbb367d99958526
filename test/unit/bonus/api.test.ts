import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { bonusKeys } from '../../../lambdas/bonus/keys.js';
import { MAX_RATING_VERSIONS } from '../../../lambdas/bonus/storeRatingVersion.js';
import { balanceOf, bonusHarness, ledgerOf, managerUpdated, ratingRequest } from './bonusHarness.js';

describe('bonus API', () => {
  let bonus: Awaited<ReturnType<typeof bonusHarness>>;
  beforeAll(async () => {
    bonus = await bonusHarness();
  });

  describe('PUT /internal/tasks/{task_uid}/rating', () => {
    it('keeps every version in the task\'s history whatever the arrival order; a repeated version changes nothing', async () => {
      const task = randomUUID();
      const v1 = ratingRequest(task, 5, 1, '2026-11-24T10:00:00.000Z');
      const v2 = ratingRequest(task, 3, 2, '2026-11-24T11:00:00.000Z');
      const v3 = ratingRequest(task, 4, 3, '2026-11-24T12:00:00.000Z');
      expect(await bonus.call(v2)).toMatchObject({ status: 200, body: { task_uid: task, applied: true } });
      expect(await bonus.call(v1)).toMatchObject({ status: 200, body: { applied: true } });
      expect(await bonus.call(v2)).toMatchObject({ status: 200, body: { applied: false } });
      expect(await bonus.call({ ...v2, body: { ...(v2.body as object), rating: 1 } })).toMatchObject({ status: 200, body: { applied: false } });
      expect(await bonus.call(v3)).toMatchObject({ status: 200, body: { applied: true } });

      const { Item } = await bonus.doc.send(new GetCommand({ TableName: bonus.tableName, Key: bonusKeys.rating(task), ConsistentRead: true }));
      expect(Item).toMatchObject({ task_uid: task, item_type: 'rating', versions: new Set([1, 2, 3]) });
      expect(Item!.history).toEqual([
        { version: 2, rating: 3, rated_at: '2026-11-24T11:00:00.000Z' },
        { version: 1, rating: 5, rated_at: '2026-11-24T10:00:00.000Z' },
        { version: 3, rating: 4, rated_at: '2026-11-24T12:00:00.000Z' },
      ]);
    });

    it('answers the same for the same call made concurrently: one stored, the others known', async () => {
      const task = randomUUID();
      const call = ratingRequest(task, 2, 1);
      const answers = await Promise.all(Array.from({ length: 5 }, () => bonus.call(call)));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
      expect(answers.filter((a) => a.body.applied === true)).toHaveLength(1);
    });

    it('extends an item stored before rating histories (one top-level version) without repeating that version', async () => {
      const task = randomUUID();
      const legacy = { ...bonusKeys.rating(task), task_uid: task, rating: 4, version: 3, rated_at: '2026-11-24T10:00:00.000Z' };
      await bonus.doc.send(new PutCommand({ TableName: bonus.tableName, Item: legacy }));
      expect(await bonus.call(ratingRequest(task, 4, 3, legacy.rated_at))).toMatchObject({ status: 200, body: { applied: false } });
      expect(await bonus.call(ratingRequest(task, 2, 4, '2026-11-24T11:00:00.000Z'))).toMatchObject({ status: 200, body: { applied: true } });
      const { Item } = await bonus.doc.send(new GetCommand({ TableName: bonus.tableName, Key: bonusKeys.rating(task), ConsistentRead: true }));
      expect(Item).toMatchObject({ version: 3, rating: 4, history: [{ version: 4, rating: 2, rated_at: '2026-11-24T11:00:00.000Z' }] });
    });

    it(`answers 409 rating_history_full beyond ${MAX_RATING_VERSIONS} versions of one task`, async () => {
      const task = randomUUID();
      const history = Array.from({ length: MAX_RATING_VERSIONS }, (_, i) => ({ version: i + 1, rating: 3, rated_at: '2026-11-24T10:00:00.000Z' }));
      await bonus.doc.send(
        new PutCommand({ TableName: bonus.tableName, Item: { ...bonusKeys.rating(task), task_uid: task, history, versions: new Set(history.map((h) => h.version)) } }),
      );
      expect(await bonus.call(ratingRequest(task, 3, 1))).toMatchObject({ status: 200, body: { applied: false } });
      expect(await bonus.call(ratingRequest(task, 3, MAX_RATING_VERSIONS + 1))).toMatchObject({ status: 409, body: { error: { code: 'rating_history_full' } } });
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
