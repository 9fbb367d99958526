import type { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { LedgerEntry } from './keys.js';

/** What the bonus API is built from; `api.ts` fills it from the environment, tests inject it. */
export interface BonusApiDeps {
  /** Document client of the bonus table (created with `removeUndefinedValues: true`). */
  doc: DynamoDBDocumentClient;
  /** The bonus table (env `TABLE_NAME`). */
  tableName: string;
  /** @default the shared Powertools logger */
  logger?: Logger;
}

/** What the route handlers of the bonus API share (built once by `createBonusApi`). */
export interface BonusContext {
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
}

/** Body of `PUT /internal/tasks/{task_uid}/rating` (the shared contract hiring calls with). */
export type { RatingRequest as PutRatingBody } from '../shared/contracts/internalRoutes.js';

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
