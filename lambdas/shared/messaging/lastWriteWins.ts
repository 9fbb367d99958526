import type { NativeAttributeValue } from '@aws-sdk/lib-dynamodb';
import type { TransactWriteItem } from './types.js';

/**
 * Placeholder name of the version attribute in a last-write-wins condition. It doubles as the
 * tag by which the consumer runtime recognises the item (survives copying the item object).
 */
export const LWW_VERSION_NAME = '#lww_version';
const LWW_VERSION_VALUE = ':lww_version';

/** The condition part of a last-write-wins write, to merge into a `Put` or `Update`. */
export interface LastWriteWinsCondition {
  ConditionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, NativeAttributeValue>;
}

/**
 * Condition "stored version absent or lower than `version`". Merge its names/values with your
 * own when building an `Update` (the placeholders `#lww_version`/`:lww_version` are reserved).
 *
 * @example
 * ```ts
 * const lww = lastWriteWinsCondition(event.payload.version);
 * const update = { Update: { TableName, Key, UpdateExpression: 'SET #t = :t, version = :lww_version',
 *   ConditionExpression: lww.ConditionExpression,
 *   ExpressionAttributeNames: { ...lww.ExpressionAttributeNames, '#t': 'title' },
 *   ExpressionAttributeValues: { ...lww.ExpressionAttributeValues, ':t': title } } };
 * ```
 */
export function lastWriteWinsCondition(version: NativeAttributeValue, versionAttribute = 'version'): LastWriteWinsCondition {
  return {
    ConditionExpression: `attribute_not_exists(${LWW_VERSION_NAME}) OR ${LWW_VERSION_NAME} < ${LWW_VERSION_VALUE}`,
    ExpressionAttributeNames: { [LWW_VERSION_NAME]: versionAttribute },
    ExpressionAttributeValues: { [LWW_VERSION_VALUE]: version },
  };
}

export interface LastWriteWinsPutInput {
  tableName: string;
  /** The full entity, including its keys and its version attribute. */
  item: Record<string, NativeAttributeValue>;
  /** Attribute holding the entity's monotonic version (number or ISO timestamp). Default `version`. */
  versionAttribute?: string;
}

/**
 * A `Put` of an entity that applies only when the stored entity's version is LOWER than the
 * incoming one, or when there is no stored entity/version yet (CUD streams: newest wins,
 * whatever the arrival order). Equal versions are not re-applied.
 *
 * Inside a consumer handler's effect, a `ConditionalCheckFailed` on this item means "stale
 * update": the runtime skips the whole effect, still writes the processed marker and counts
 * `EventsStale`. So put the last-write-wins item in an effect whose other items only make sense
 * together with it.
 *
 * @example
 * ```ts
 * return [lastWriteWinsPut({ tableName, item: { pk: `MANAGER#${uid}`, sk: 'MANAGER', version: 7, name } })];
 * ```
 */
export function lastWriteWinsPut(input: LastWriteWinsPutInput): TransactWriteItem {
  const versionAttribute = input.versionAttribute ?? 'version';
  const version = input.item[versionAttribute];
  if (version === undefined || version === null) {
    throw new TypeError(`lastWriteWinsPut: item has no "${versionAttribute}" attribute`);
  }
  return {
    Put: { TableName: input.tableName, Item: input.item, ...lastWriteWinsCondition(version, versionAttribute) },
  };
}

/** True for a transaction item built by {@link lastWriteWinsPut} (its condition failing = stale). */
export function isLastWriteWins(item: TransactWriteItem): boolean {
  const names = item.Put?.ExpressionAttributeNames ?? item.Update?.ExpressionAttributeNames;
  return names !== undefined && LWW_VERSION_NAME in names;
}
