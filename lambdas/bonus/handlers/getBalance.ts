import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { NotFoundError, type RouteHandler } from '../../shared/http/index.js';
import { bonusKeys } from '../keys.js';
import type { BalanceAnswer, BonusContext } from '../types.js';

/** `GET /managers/{manager_uid}/balance` -> 200 {@link BalanceAnswer}; 404 for a manager bonus never heard of. */
export function getBalance(ctx: BonusContext): RouteHandler {
  return async ({ pathParameters }) => {
    const managerUid = pathParameters.manager_uid!;
    const [manager, balance] = await Promise.all([
      ctx.doc.send(new GetCommand({ TableName: ctx.tableName, Key: bonusKeys.manager(managerUid) })),
      ctx.doc.send(new GetCommand({ TableName: ctx.tableName, Key: bonusKeys.balance(managerUid), ConsistentRead: true })),
    ]);
    if (!manager.Item && !balance.Item) throw new NotFoundError(`manager ${managerUid} not found`);
    const body: BalanceAnswer = { manager_uid: managerUid, balance: Number(balance.Item?.balance ?? 0), entries: Number(balance.Item?.entries ?? 0) };
    return { status: 200, body };
  };
}
