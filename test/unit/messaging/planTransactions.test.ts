import { describe, expect, it } from 'vitest';
import { buildTransaction, planTransactions, type PendingWrite } from '../../../lambdas/shared/messaging/consumer/planTransactions.js';
import type { TransactWriteItem } from '../../../lambdas/shared/messaging/index.js';

const TABLE = 't';
const put = (pk: string, sk = 'X', extra: Record<string, unknown> = {}): TransactWriteItem => ({ Put: { TableName: TABLE, Item: { pk, sk, ...extra } } });
const member = (id: number, writes: TransactWriteItem[] = [], increments: PendingWrite['increments'] = []): PendingWrite => ({
  id,
  marker: put(`PROCESSED#${id}`, 'PROCESSED'),
  writes,
  increments,
});
const balance = (manager: string, amount: number) => ({ key: { pk: `M#${manager}`, sk: 'BALANCE' }, add: { balance: amount, entries: 1 } });

describe('planTransactions', () => {
  it('puts a batch in one transaction and merges the increments of one item', () => {
    const members = [member(0, [put('L#0')], [balance('a', 100)]), member(1, [put('L#1')], [balance('b', 200)]), member(2, [put('L#2')], [balance('a', 300)])];
    const { groups, tooLarge } = planTransactions(members, TABLE);
    expect(tooLarge).toEqual([]);
    expect(groups).toEqual([members]);
    const { items, owners } = buildTransaction(members, TABLE);
    expect(items).toHaveLength(3 + 3 + 2);
    expect(items.slice(6).map((i) => [i.Update!.Key, i.Update!.ExpressionAttributeValues])).toEqual([
      [{ pk: 'M#a', sk: 'BALANCE' }, { ':a0': 400, ':a1': 2 }],
      [{ pk: 'M#b', sk: 'BALANCE' }, { ':a0': 200, ':a1': 1 }],
    ]);
    expect(owners[6]).toEqual({ kind: 'increment', members: [members[0], members[2]] });
    expect(owners[1]).toEqual({ kind: 'write', member: members[0], item: members[0]!.writes[0] });
  });

  it('moves a record whose own item is already in a transaction to another one (an item appears once per transaction)', () => {
    const members = [member(0, [put('SAME')]), member(1, [put('OTHER')]), member(2, [put('SAME')])];
    expect(planTransactions(members, TABLE).groups).toEqual([[members[0], members[1]], [members[2]]]);
  });

  it('never puts a plain write and an increment of the same item together', () => {
    const members = [member(0, [], [balance('a', 1)]), member(1, [put('M#a', 'BALANCE')])];
    expect(planTransactions(members, TABLE).groups).toEqual([[members[0]], [members[1]]]);
  });

  it('keeps each transaction within 100 items, counting a merged increment once', () => {
    // 50 records x (marker + ledger) + ONE shared balance = 101 items: one record moves on.
    const members = Array.from({ length: 50 }, (_, i) => member(i, [put(`L#${i}`)], [balance('a', 1)]));
    const { groups } = planTransactions(members, TABLE);
    expect(groups.map((g) => g.length)).toEqual([49, 1]);
    expect(buildTransaction(groups[0]!, TABLE).items).toHaveLength(99);
  });

  it('keeps each transaction within the byte limit and reports a record that alone exceeds a limit', () => {
    const big = 'x'.repeat(1000);
    const members = [member(0, [put('A', 'X', { big })]), member(1, [put('B', 'X', { big })]), member(2, Array.from({ length: 100 }, (_, i) => put(`C#${i}`)))];
    const { groups, tooLarge } = planTransactions(members, TABLE, { maxItems: 100, maxBytes: 1500 });
    expect(groups).toEqual([[members[0]], [members[1]]]);
    expect(tooLarge).toEqual([{ member: members[2], items: 101, bytes: expect.any(Number) }]);
  });
});
