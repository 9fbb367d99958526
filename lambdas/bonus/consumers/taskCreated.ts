import type { EventHandler } from '../../shared/messaging/index.js';
import { bonusKeys } from '../keys.js';

/** `TaskCreated` v1 -> bonus's copy of the task (title, knowledge area, manager), kept for the ledger's entries. */
export const taskCreatedV1: EventHandler<'TaskCreated', '1'> = async (event, ctx) => {
  const { task_uid, knowledge_area, title, manager_uid } = event.payload;
  return [{ Put: { TableName: ctx.tableName, Item: { ...bonusKeys.task(task_uid), task_uid, knowledge_area, title, manager_uid, created_at: event.produced_at } } }];
};
