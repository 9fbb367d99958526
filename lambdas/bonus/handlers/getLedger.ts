import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { NotFoundError, type RouteHandler } from '../../shared/http/index.js';
import { encodeLedgerCursor, parseLedgerPageQuery } from '../domain/ledgerPage.js';
import { bonusKeys, type LedgerEntry } from '../keys.js';
import type { BonusContext, LedgerAnswer } from '../types.js';

/**
 * `GET /managers/{manager_uid}/ledger?limit=N&cursor=C` -> 200 {@link LedgerAnswer} (newest first);
 * 400 naming `query.limit` / `query.cursor`; 404 for a manager bonus never heard of.
 */
export function getLedger(ctx: BonusContext): RouteHandler {
  return async ({ pathParameters, query }) => {
    const managerUid = pathParameters.manager_uid!;
    const { limit, after } = parseLedgerPageQuery(query, managerUid);
    const { pk } = bonusKeys.manager(managerUid);
    const [manager, ledger] = await Promise.all([
      ctx.doc.send(new GetCommand({ TableName: ctx.tableName, Key: bonusKeys.manager(managerUid) })),
      ctx.doc.send(
        new QueryCommand({
          TableName: ctx.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :ledger)',
          ExpressionAttributeValues: { ':pk': pk, ':ledger': bonusKeys.ledgerPrefix },
          ScanIndexForward: false,
          ExclusiveStartKey: after ? { pk: after.pk, sk: after.sk } : undefined,
          // One more than the page: DynamoDB's LastEvaluatedKey also appears when the page
          // happens to end exactly at the last item; the extra one says whether more follow.
          Limit: limit + 1,
        }),
      ),
    ]);
    const items = (ledger.Items ?? []).slice(0, limit);
    if (!manager.Item && items.length === 0 && !after) throw new NotFoundError(`manager ${managerUid} not found`);
    // Ledger items are LedgerEntry rows the consumer wrote (ledgerEntryFor) plus the table's keys.
    const entries = items.map(({ pk: _pk, sk: _sk, item_type: _type, ...entry }) => entry as LedgerEntry);
    const last = items.at(-1);
    // More follow when the extra item came back, or when DynamoDB stopped early at its 1 MB page.
    const more = ((ledger.Items?.length ?? 0) > limit || ledger.LastEvaluatedKey !== undefined) && last;
    const body: LedgerAnswer = { manager_uid: managerUid, entries, ...(more ? { next_cursor: encodeLedgerCursor({ pk: String(last.pk), sk: String(last.sk) }) } : {}) };
    return { status: 200, body };
  };
}
