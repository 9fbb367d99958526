import type { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CallOutcome, ServiceCall } from '../shared/calls/index.js';
import type { RetryOptions } from '../shared/http/index.js';
import type { MigrationSteps } from '../shared/migrations/steps.js';
import type { TasksStore } from './store.js';

/** Dependencies of the tasks API; everything but the table is optional. */
export interface TasksApiDeps {
  doc: DynamoDBDocumentClient;
  tableName: string;
  /** Hiring's API base URL, stage included (env `HIRING_API_URL`). Without it calls stay pending. */
  hiringApiUrl?: string;
  /**
   * Retry budget of the immediate call to hiring, kept short: the client waits for it, and a call
   * that fails is delivered later anyway. @default 2 attempts within 3 s
   */
  callRetry?: RetryOptions;
  /** Per-attempt timeout of the immediate call in ms. @default 1500 */
  callTimeoutMs?: number;
  /** Replaces `callNowOrDefer` (tests). */
  callNow?: (call: ServiceCall) => Promise<CallOutcome>;
  /** @default () => new Date() */
  now?: () => Date;
  /** @default crypto.randomUUID */
  newId?: () => string;
  logger?: Logger;
  /** Migration steps. @default env `MIGRATION_*_STEP`, else the final steps */
  steps?: MigrationSteps;
}

/** What the route handlers of the tasks API share (built once by `createTasksApi`). */
export interface TasksApiContext {
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly store: TasksStore;
  readonly now: () => Date;
  readonly newId: () => string;
  /** Tries a recorded call to hiring now; when hiring is down the pending row is delivered later. */
  readonly callHiring: (call: ServiceCall) => Promise<CallOutcome>;
  /** Migration steps: which events it publishes and which calls it makes (lib/migrations). */
  readonly steps: MigrationSteps;
}

/** Request bodies of the routes, matching `requests/*.json`. */
/** Body of `POST /managers`. */
export interface CreateManagerBody {
  name: string;
  surname: string;
  login: string;
  payout_account: string;
}

/** Body of `PUT /managers/{manager_uid}`: at least one field. */
export type UpdateManagerBody = Partial<CreateManagerBody>;

/** Body of `POST /tasks`. */
export interface CreateTaskBody {
  title: string;
  knowledge_area: string;
  manager_uid: string;
  description?: string;
}

/** Body of `PUT /tasks/{task_uid}`: at least one field. */
export type UpdateTaskBody = Partial<CreateTaskBody>;

/** Body of `POST /tasks/{task_uid}/assignments`. */
export interface CreateAssignmentBody {
  candidate_uid: string;
}
