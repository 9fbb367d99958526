import type { NativeAttributeValue } from '@aws-sdk/lib-dynamodb';
import { MAX_TRANSACT_BYTES, MAX_TRANSACT_ITEMS } from '../constants.js';
import type { TransactWriteItem } from '../types.js';
import { keyId, tableKey, transactItemId } from './tableKey.js';
import type { Increment } from './types.js';

/** One record's part of a batch write: its marker, its own items and its counter increments. */
export interface PendingWrite {
  /** Position of the record in the batch. */
  readonly id: number;
  readonly marker: TransactWriteItem;
  readonly writes: readonly TransactWriteItem[];
  readonly increments: readonly Increment[];
}

/** Who an item of a built transaction belongs to (how a cancellation reason at its index is read). */
export type ItemOwner =
  | { readonly kind: 'marker'; readonly member: PendingWrite }
  | { readonly kind: 'write'; readonly member: PendingWrite; readonly item: TransactWriteItem }
  | { readonly kind: 'increment'; readonly members: readonly PendingWrite[] };

/** A `TransactWriteItems` request and, index by index, whose items it holds. */
export interface BuiltTransaction {
  readonly items: TransactWriteItem[];
  readonly owners: ItemOwner[];
}

export interface TransactionLimits {
  maxItems: number;
  maxBytes: number;
}

const DYNAMODB_LIMITS: TransactionLimits = { maxItems: MAX_TRANSACT_ITEMS, maxBytes: MAX_TRANSACT_BYTES };

/**
 * Size of an entry as JSON: close to (slightly above) what DynamoDB counts for the 4 MB limit,
 * which is the size of the items' names and values.
 */
const bytesOf = (value: unknown): number => Buffer.byteLength(JSON.stringify(value));

interface Footprint {
  own: string[];
  increments: Set<string>;
  bytes: number;
}

function footprint(member: PendingWrite, tableName: string): Footprint {
  const own = [member.marker, ...member.writes].map(transactItemId);
  const increments = new Set(member.increments.map((increment) => keyId(tableName, increment.key)));
  const bytes = bytesOf([member.marker, ...member.writes]) + bytesOf(member.increments);
  return { own, increments, bytes };
}

export interface TransactionPlan {
  /** Members grouped into transactions, in the order to write them. */
  groups: PendingWrite[][];
  /** Members that exceed a limit on their own (never writable: poison). */
  tooLarge: { member: PendingWrite; items: number; bytes: number }[];
}

/**
 * Groups records' writes into as few transactions as DynamoDB's rules allow: at most 100 items
 * and 4 MB each, and no item twice — a record whose own items (marker, writes) meet an item
 * already in a transaction goes to another one (first fit), while increments of the same item
 * merge into one `Update` (so they never collide with each other, only with a plain write).
 *
 * @example
 * ```ts
 * const { groups } = planTransactions(pending, tableName); // one group for a batch of 10 credits
 * for (const group of groups) await send(buildTransaction(group, tableName).items);
 * ```
 */
export function planTransactions(pending: readonly PendingWrite[], tableName: string, limits: TransactionLimits = DYNAMODB_LIMITS): TransactionPlan {
  const groups: { members: PendingWrite[]; own: Set<string>; increments: Set<string>; items: number; bytes: number }[] = [];
  const tooLarge: TransactionPlan['tooLarge'] = [];
  for (const member of pending) {
    const print = footprint(member, tableName);
    const alone = print.own.length + print.increments.size;
    if (alone > limits.maxItems || print.bytes > limits.maxBytes) {
      tooLarge.push({ member, items: alone, bytes: print.bytes });
      continue;
    }
    const fits = (group: (typeof groups)[number]) => {
      if (print.own.some((id) => group.own.has(id) || group.increments.has(id))) return false;
      if ([...print.increments].some((id) => group.own.has(id))) return false;
      const added = print.own.length + [...print.increments].filter((id) => !group.increments.has(id)).length;
      return group.items + added <= limits.maxItems && group.bytes + print.bytes <= limits.maxBytes;
    };
    let group = groups.find(fits);
    if (!group) {
      group = { members: [], own: new Set(), increments: new Set(), items: 0, bytes: 0 };
      groups.push(group);
    }
    group.items += print.own.length + [...print.increments].filter((id) => !group.increments.has(id)).length;
    group.bytes += print.bytes;
    for (const id of print.own) group.own.add(id);
    for (const id of print.increments) group.increments.add(id);
    group.members.push(member);
  }
  return { groups: groups.map((g) => g.members), tooLarge };
}

/**
 * The transaction of `members`: each member's marker and writes, then ONE `Update` per counter
 * item with the increments of every member summed (`ADD`) and their `set` attributes merged (the
 * last member's value wins).
 *
 * @example
 * ```ts
 * const { items, owners } = buildTransaction(group, tableName);
 * ```
 */
export function buildTransaction(members: readonly PendingWrite[], tableName: string): BuiltTransaction {
  const items: TransactWriteItem[] = [];
  const owners: ItemOwner[] = [];
  const merged = new Map<string, { key: Increment['key']; add: Map<string, number>; set: Map<string, NativeAttributeValue>; members: PendingWrite[] }>();
  for (const member of members) {
    items.push(member.marker);
    owners.push({ kind: 'marker', member });
    for (const item of member.writes) {
      items.push(item);
      owners.push({ kind: 'write', member, item });
    }
    for (const increment of member.increments) {
      const id = keyId(tableName, increment.key);
      let entry = merged.get(id);
      if (!entry) {
        entry = { key: tableKey(increment.key), add: new Map(), set: new Map(), members: [] };
        merged.set(id, entry);
      }
      for (const [name, amount] of Object.entries(increment.add)) entry.add.set(name, (entry.add.get(name) ?? 0) + amount);
      for (const [name, value] of Object.entries(increment.set ?? {})) entry.set.set(name, value);
      if (!entry.members.includes(member)) entry.members.push(member);
    }
  }
  for (const entry of merged.values()) {
    items.push(incrementUpdate(tableName, entry.key, entry.add, entry.set));
    owners.push({ kind: 'increment', members: entry.members });
  }
  return { items, owners };
}

function incrementUpdate(tableName: string, key: Increment['key'], add: Map<string, number>, set: Map<string, NativeAttributeValue>): TransactWriteItem {
  const names: Record<string, string> = {};
  const values: Record<string, NativeAttributeValue> = {};
  const adds = [...add].map(([name, amount], i) => {
    names[`#a${i}`] = name;
    values[`:a${i}`] = amount;
    return `#a${i} :a${i}`;
  });
  const sets = [...set].map(([name, value], i) => {
    names[`#s${i}`] = name;
    values[`:s${i}`] = value;
    return `#s${i} = :s${i}`;
  });
  const expression = [adds.length ? `ADD ${adds.join(', ')}` : '', sets.length ? `SET ${sets.join(', ')}` : ''].filter(Boolean).join(' ');
  return {
    Update: { TableName: tableName, Key: key, UpdateExpression: expression, ExpressionAttributeNames: names, ExpressionAttributeValues: values },
  };
}
