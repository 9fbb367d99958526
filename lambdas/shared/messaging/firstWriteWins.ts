import type { NativeAttributeValue } from '@aws-sdk/lib-dynamodb';
import { LWW_VERSION_NAME } from './lastWriteWins.js';
import type { TransactWriteItem } from './types.js';

/**
 * A `Put` that creates an item whose key is an idempotency key (a request id, a business key)
 * only when no item has that key yet: the first write wins, and a second one means "already
 * applied through another path" — not an error.
 *
 * Inside a consumer handler's effect the runtime treats its failing condition exactly like a
 * stale last-write-wins item (it carries the same tag, and "absent or lower version" reduces to
 * "absent" for a key that never changes): the whole effect is skipped, the processed marker is
 * written alone, and the record succeeds. So, as with `lastWriteWinsPut`, put it in an effect
 * whose other items belong with it (they were applied together by whoever wrote it first).
 *
 * @example
 * ```ts
 * // The legacy call may have recorded the same request_id between the handler's read and its write.
 * return [firstWriteWinsPut(tableName, updateRequestItem(request)), markTaskNeedsUpdate];
 * ```
 */
export function firstWriteWinsPut(tableName: string, item: Record<string, NativeAttributeValue>): TransactWriteItem {
  return {
    Put: {
      TableName: tableName,
      Item: item,
      ConditionExpression: `attribute_not_exists(${LWW_VERSION_NAME})`,
      ExpressionAttributeNames: { [LWW_VERSION_NAME]: 'pk' },
    },
  };
}
