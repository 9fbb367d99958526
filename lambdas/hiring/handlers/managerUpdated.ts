import type { Effect, EventHandler } from '../../shared/messaging/index.js';
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
  const lww = lastWriteWinsCondition(version);
  return [
    {
      Update: {
        TableName: ctx.tableName,
        Key: managerKey(manager_uid),
        UpdateExpression: 'SET item_type = :type, manager_uid = :uid, login = :login, #lww_version = :lww_version, updated_at = :at',
        ConditionExpression: lww.ConditionExpression,
        ExpressionAttributeNames: { ...lww.ExpressionAttributeNames },
        ExpressionAttributeValues: {
          ...lww.ExpressionAttributeValues,
          ':type': 'manager',
          ':uid': manager_uid,
          ':login': login,
          ':at': event.produced_at,
        },
      },
    },
  ];
};
