import { GetCommand, QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { retryWrite } from '../shared/dynamodb/index.js';
import { createHttpApi, NotFoundError, ValidationError, type HttpRequest } from '../shared/http/index.js';
import { cancellationReasons, lastWriteWinsPut } from '../shared/messaging/index.js';
import type { RatingRequest } from '../shared/contracts/internalRoutes.js';
import { bonusKeys, type LedgerEntry, type RatingItem } from './keys.js';
import { rating as ratingBody } from './requests/generated/validators.js';

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

/** `GET /managers/{manager_uid}/ledger`: the newest page of credits, each as the consumer stored it. */
export interface LedgerAnswer {
  manager_uid: string;
  entries: LedgerEntry[];
}

/** One credit of a ledger answer (its stored shape is declared with the table keys). */
export type { LedgerEntry };

const LEDGER_PAGE = 100;

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
        // hiring sends every rating with a version: the newest wins whatever the delivery order,
        // and a redelivered call (sync attempt, then the deferred one) changes nothing. Concurrent
        // deliveries for one task conflict on its rating item: retried (`retryWrite`).
        handler: async ({ pathParameters, body, logger }: HttpRequest<RatingRequest>) => {
          if (body.task_uid !== pathParameters.task_uid) {
            throw new ValidationError('body.task_uid', 'body.task_uid must equal the task_uid in the path');
          }
          const item: RatingItem = { ...bonusKeys.rating(body.task_uid), ...body };
          try {
            await retryWrite(() => doc.send(new TransactWriteCommand({ TransactItems: [lastWriteWinsPut({ tableName, item: { ...item } })] })), {
              what: `the rating of task ${body.task_uid}`,
              logger,
            });
          } catch (error) {
            if (cancellationReasons(error)?.some((reason) => reason.Code === 'ConditionalCheckFailed')) {
              return { status: 200, body: { task_uid: body.task_uid, applied: false } };
            }
            throw error;
          }
          return { status: 200, body: { task_uid: body.task_uid, applied: true } };
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
        handler: async ({ pathParameters }) => {
          const managerUid = pathParameters.manager_uid!;
          const { pk } = bonusKeys.manager(managerUid);
          const [manager, ledger] = await Promise.all([
            doc.send(new GetCommand({ TableName: tableName, Key: bonusKeys.manager(managerUid) })),
            doc.send(
              new QueryCommand({
                TableName: tableName,
                KeyConditionExpression: 'pk = :pk AND begins_with(sk, :ledger)',
                ExpressionAttributeValues: { ':pk': pk, ':ledger': bonusKeys.ledgerPrefix },
                ScanIndexForward: false,
                Limit: LEDGER_PAGE,
              }),
            ),
          ]);
          const items = ledger.Items ?? [];
          if (!manager.Item && items.length === 0) throw new NotFoundError(`manager ${managerUid} not found`);
          // Ledger items are LedgerEntry rows the consumer wrote (ledgerEntryFor) plus the table's keys.
          const entries = items.map(({ pk: _pk, sk: _sk, item_type: _type, ...entry }) => entry as LedgerEntry);
          const body: LedgerAnswer = { manager_uid: managerUid, entries };
          return { status: 200, body };
        },
      },
    ],
  });
}
