import type { Effect, EventHandler, TransactWriteItem } from '../../shared/messaging/index.js';
import { lastWriteWinsCondition } from '../../shared/messaging/index.js';
import { managerKey } from '../keys.js';

/**
 * `ManagerUpdated` v1 -> last-write-wins copy of the manager (`MANAGER#<uid>`/`MANAGER`): sets
 * `login` and `version` when the event's version is newer than the stored one, and leaves the
 * legacy `name`/`surname` attributes as they are (an Update, not a Put). A stale version makes the
 * runtime skip the effect and count it as stale; a redelivery is a duplicate by its marker.
 * The payout account is bonus's business: hiring does not keep it.
 */
export const managerUpdatedV1: EventHandler<'ManagerUpdated', '1'> = async (event, ctx): Promise<Effect> => {
  const { manager_uid, login, version } = event.payload;
  return [managerCopyUpdate(ctx.tableName, manager_uid, version, event.produced_at, { login })];
};

/**
 * The last-write-wins Update of hiring's copy of a manager, for every version of `ManagerUpdated`:
 * sets `fields` (other attributes stay as they are) when `version` is newer than the stored one.
 * `initialize` sets attributes only where the copy has none yet (`if_not_exists`), e.g. the empty
 * `login` column of manager-login step 1.
 */
export function managerCopyUpdate(
  tableName: string,
  managerUid: string,
  version: number,
  at: string,
  fields: Record<string, string>,
  initialize: Record<string, string> = {},
): TransactWriteItem {
  const lww = lastWriteWinsCondition(version);
  const initial = Object.keys(initialize);
  const names = [...Object.keys(fields), ...initial];
  // Placeholders for every field: `name` is a DynamoDB reserved word.
  const set = [
    ...Object.keys(fields).map((field) => `#${field} = :${field}`),
    ...initial.map((field) => `#${field} = if_not_exists(#${field}, :${field})`),
  ].join(', ');
  return {
    Update: {
      TableName: tableName,
      Key: managerKey(managerUid),
      UpdateExpression: `SET item_type = :type, manager_uid = :uid, ${set}, #lww_version = :lww_version, updated_at = :at`,
      ConditionExpression: lww.ConditionExpression,
      ExpressionAttributeNames: { ...lww.ExpressionAttributeNames, ...Object.fromEntries(names.map((field) => [`#${field}`, field])) },
      ExpressionAttributeValues: {
        ...lww.ExpressionAttributeValues,
        ...Object.fromEntries(names.map((field) => [`:${field}`, fields[field] ?? initialize[field]])),
        ':type': 'manager',
        ':uid': managerUid,
        ':at': at,
      },
    },
  };
}
