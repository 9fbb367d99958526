import type { AnyEvent } from '../registry/index.js';
import { outboxItem } from './outboxItem.js';
import type { TransactWriteItem } from './types.js';

/**
 * The outbox row as a `TransactWriteItems` entry, for callers composing their own transaction.
 * The `attribute_not_exists(pk)` condition makes a reused `event_id` fail the transaction
 * instead of silently replacing an event that may not have been published yet.
 *
 * Prefer {@link writeWithOutbox}, which also validates the events and checks the limits.
 *
 * @example
 * ```ts
 * await doc.send(new TransactWriteCommand({ TransactItems: [changeTask, outboxPut(TABLE, event)] }));
 * ```
 */
export function outboxPut(tableName: string, event: AnyEvent, now?: Date): TransactWriteItem {
  return {
    Put: {
      TableName: tableName,
      Item: outboxItem(event, now),
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}
