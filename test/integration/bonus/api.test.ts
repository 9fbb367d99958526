import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LedgerAnswer } from '../../../lambdas/bonus/types.js';
import { bonusKeys } from '../../../lambdas/bonus/keys.js';
import { MAX_RATING_VERSIONS } from '../../../lambdas/bonus/store.js';
import { balanceOf, bonusHarness, ledgerOf, managerUpdated, ratingRequest, taskSolved } from './bonusHarness.js';

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

  describe('ledger pages', () => {
    const CREDITS = 162;
    let manager: string;
    const page = async (query: Record<string, string>, who = manager) => bonus.call({ ...ledgerOf(who), query });

    beforeAll(async () => {
      manager = randomUUID();
      await bonus.deliver(managerUpdated(manager, 1));
      // 162 solved tasks with ratings 1..5, credited by the real consumer, ten records a batch.
      const events = [];
      for (let i = 0; i < CREDITS; i += 1) {
        const task = randomUUID();
        expect((await bonus.call(ratingRequest(task, (i % 5) + 1))).status).toBe(200);
        events.push(taskSolved(task, manager));
      }
      for (let i = 0; i < events.length; i += 10) expect((await bonus.deliver(...events.slice(i, i + 10))).batchItemFailures).toEqual([]);
    }, 120_000);

    it("reads a manager's whole ledger page by page, newest first, and it sums to the balance", async () => {
      const balance = (await bonus.call(balanceOf(manager))).body as { balance: number; entries: number };
      expect(balance.entries).toBe(CREDITS);
      const pages: LedgerAnswer[] = [];
      let cursor: string | undefined;
      do {
        const answer = await page({ limit: '50', ...(cursor ? { cursor } : {}) });
        expect(answer.status).toBe(200);
        const body = answer.body as unknown as LedgerAnswer;
        pages.push(body);
        cursor = body.next_cursor;
      } while (cursor && pages.length < 10);
      expect(pages.map((p) => p.entries.length)).toEqual([50, 50, 50, 12]);
      expect(pages.at(-1)!.next_cursor).toBeUndefined();
      const entries = pages.flatMap((p) => p.entries);
      expect(new Set(entries.map((e) => e.event_id)).size).toBe(CREDITS);
      expect(entries.reduce((sum, e) => sum + e.amount, 0)).toBe(balance.balance);
      const order = entries.map((e) => `${e.solved_at}#${e.event_id}`);
      expect(order).toEqual([...order].sort().reverse());
      for (const p of pages) expect(p.manager_uid).toBe(manager);
    });

    it('pages 50 entries by default, and a page that ends exactly at the last credit has no next_cursor', async () => {
      const first = (await page({})).body as unknown as LedgerAnswer;
      expect(first.entries).toHaveLength(50);
      expect(first.next_cursor).toEqual(expect.any(String));
      const whole = (await page({ limit: '100' })).body as unknown as LedgerAnswer;
      const rest = (await page({ limit: '62', cursor: whole.next_cursor! })).body as unknown as LedgerAnswer;
      expect(rest.entries).toHaveLength(62);
      expect(rest.next_cursor).toBeUndefined();
    });

    it.each([['0'], ['101'], ['ten'], ['1.5'], ['-1'], ['']])('answers 400 naming query.limit for limit=%j', async (limit) => {
      const answer = await page({ limit });
      expect(answer.status).toBe(400);
      expect(answer.body.error?.field).toBe('query.limit');
    });

    it('answers 400 naming query.cursor for a malformed cursor or one of another ledger', async () => {
      const theirs = randomUUID();
      await bonus.deliver(managerUpdated(theirs, 1));
      const mine = ((await page({ limit: '1' })).body as unknown as LedgerAnswer).next_cursor!;
      const forged = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');
      for (const cursor of [
        'not a cursor!',
        Buffer.from('{"pk":').toString('base64url'),
        forged(['MANAGER#x', 'LEDGER#y']),
        forged({ pk: `MANAGER#${manager}`, sk: 'BALANCE' }),
        forged({ pk: `MANAGER#${manager}`, sk: 'LEDGER#a', extra: 1 }),
      ]) {
        const answer = await page({ cursor });
        expect(answer.status, cursor).toBe(400);
        expect(answer.body.error?.field, cursor).toBe('query.cursor');
      }
      // Another manager's cursor does not page through this one's ledger.
      const answer = await page({ cursor: mine }, theirs);
      expect(answer).toMatchObject({ status: 400, body: { error: { field: 'query.cursor' } } });
    });
  });
});
