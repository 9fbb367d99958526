import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { retryWrite } from '../shared/dynamodb/index.js';
import { createHttpApi, NotFoundError, ValidationError, type HttpRequest } from '../shared/http/index.js';
import type { RatingRequest } from '../shared/contracts/internalRoutes.js';
import { bonusKeys, type LedgerEntry } from './keys.js';
import { encodeLedgerCursor, parseLedgerPageQuery } from './ledgerPage.js';
import { rating as ratingBody } from './requests/generated/validators.js';
import { storeRatingVersion } from './storeRatingVersion.js';

export interface BonusApiDeps {
  doc: DynamoDBDocumentClient;
  tableName: string;
}

/** `GET /managers/{manager_uid}/balance`: the running total and how many credits make it up. */
export interface BalanceAnswer {
  manager_uid: string;
  balance: number;
  entries: number;
}

/**
 * `GET /managers/{manager_uid}/ledger?limit=N&cursor=C`: one page of credits, newest first, each as
 * the consumer stored it; `next_cursor` (opaque) is there when older credits follow: pass it as
 * `cursor` for the next page.
 */
export interface LedgerAnswer {
  manager_uid: string;
  entries: LedgerEntry[];
  next_cursor?: string;
}

/** One credit of a ledger answer (its stored shape is declared with the table keys). */
export type { LedgerEntry };

/** The bonus service's HTTP API: the internal rating route (called by hiring) and balance/ledger reads. */
export function createBonusApi({ doc, tableName }: BonusApiDeps) {
  return createHttpApi({
    service: 'bonus',
    idempotency: { tableName, client: doc },
    routes: [
      {
        method: 'PUT',
        path: '/internal/tasks/{task_uid}/rating',
        bodySchema: ratingBody,
        // hiring sends every rating with a version and its time: bonus keeps every version (a
        // solution earns the rating in force when it was solved), in whatever order they arrive;
        // a redelivered call (sync attempt, then the deferred one) changes nothing (applied: false).
        // Concurrent deliveries for one task conflict on its rating item: retried (`retryWrite`).
        handler: async ({ pathParameters, body, logger }: HttpRequest<RatingRequest>) => {
          if (body.task_uid !== pathParameters.task_uid) {
            throw new ValidationError('body.task_uid', 'body.task_uid must equal the task_uid in the path');
          }
          const stored = await retryWrite(() => storeRatingVersion(doc, tableName, body), { what: `the rating of task ${body.task_uid}`, logger });
          return { status: 200, body: { task_uid: body.task_uid, applied: stored === 'stored' } };
        },
      },
      {
        method: 'GET',
        path: '/managers/{manager_uid}/balance',
        handler: async ({ pathParameters }) => {
          const managerUid = pathParameters.manager_uid!;
          const [manager, balance] = await Promise.all([
            doc.send(new GetCommand({ TableName: tableName, Key: bonusKeys.manager(managerUid) })),
            doc.send(new GetCommand({ TableName: tableName, Key: bonusKeys.balance(managerUid), ConsistentRead: true })),
          ]);
          if (!manager.Item && !balance.Item) throw new NotFoundError(`manager ${managerUid} not found`);
          const body: BalanceAnswer = { manager_uid: managerUid, balance: Number(balance.Item?.balance ?? 0), entries: Number(balance.Item?.entries ?? 0) };
          return { status: 200, body };
        },
      },
      {
        method: 'GET',
        path: '/managers/{manager_uid}/ledger',
        handler: async ({ pathParameters, query }) => {
          const managerUid = pathParameters.manager_uid!;
          const { limit, after } = parseLedgerPageQuery(query, managerUid);
          const { pk } = bonusKeys.manager(managerUid);
          const [manager, ledger] = await Promise.all([
            doc.send(new GetCommand({ TableName: tableName, Key: bonusKeys.manager(managerUid) })),
            doc.send(
              new QueryCommand({
                TableName: tableName,
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
        },
      },
    ],
  });
}
