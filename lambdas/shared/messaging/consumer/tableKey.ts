import type { NativeAttributeValue } from '@aws-sdk/lib-dynamodb';
import { PARTITION_KEY, SORT_KEY } from '../constants.js';
import type { TransactWriteItem } from '../types.js';
import type { TableKey } from './types.js';

/** One string per item (table + key), for maps and collision checks. */
export function keyId(tableName: string, key: Record<string, NativeAttributeValue>): string {
  return `${tableName}\u0000${String(key[PARTITION_KEY])}\u0000${String(key[SORT_KEY])}`;
}

/** The item a transaction entry acts on, as a {@link keyId} (a Put names it by its item's keys). */
export function transactItemId(item: TransactWriteItem): string {
  if (item.Put) return keyId(item.Put.TableName!, item.Put.Item!);
  const target = item.Update ?? item.Delete ?? item.ConditionCheck;
  if (!target) throw new TypeError('a TransactWriteItem needs Put, Update, Delete or ConditionCheck');
  return keyId(target.TableName!, target.Key!);
}

/** Just the table's key attributes of `key` (what BatchGetItem accepts). */
export function tableKey(key: TableKey): TableKey {
  return { pk: key.pk, sk: key.sk };
}
