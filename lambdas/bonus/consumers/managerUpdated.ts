import { lastWriteWinsPut, type EventHandler } from '../../shared/messaging/index.js';
import { bonusKeys, type ManagerItem } from '../keys.js';

/** `ManagerUpdated` v1 -> last-write-wins copy of the manager (login, payout account, version). */
export const managerUpdatedV1: EventHandler<'ManagerUpdated', '1'> = async (event, ctx) => {
  const { manager_uid, login, payout_account, version } = event.payload;
  const item: ManagerItem = { ...bonusKeys.manager(manager_uid), manager_uid, login, payout_account, version };
  return [lastWriteWinsPut({ tableName: ctx.tableName, item: { ...item } })];
};
