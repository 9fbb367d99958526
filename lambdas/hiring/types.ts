import type { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RetryOptions } from '../shared/http/index.js';
import type { MigrationSteps } from '../shared/migrations/steps.js';

/** What the hiring API is built from; `api.ts` fills it from the environment, tests inject it. */
export interface HiringApiDeps {
  /** Document client of the hiring table (created with `removeUndefinedValues: true`). */
  doc: DynamoDBDocumentClient;
  /** The hiring table (env `TABLE_NAME`). */
  tableName: string;
  /** Bonus API base URL, stage included (env `BONUS_API_URL`); rating calls stay pending without it. */
  bonusApiUrl?: string;
  /** Retry budget of the immediate bonus call; `callService`'s defaults otherwise. */
  callRetry?: RetryOptions;
  /** Per-attempt timeout of the immediate bonus call, ms. */
  callTimeoutMs?: number;
  /** Clock (tests). @default () => new Date() */
  now?: () => Date;
  /** @default a Powertools logger named `hiring` */
  logger?: Logger;
  /** Tasks API base URL (env `TASKS_API_URL`): the legacy update_task call, task-update-request steps 0..4. */
  tasksApiUrl?: string;
  /** Migration steps. @default env `MIGRATION_*_STEP`, else the final steps */
  steps?: MigrationSteps;
}

/** {@link HiringApiDeps} with defaults resolved, as the route handlers get it. */
export interface HiringContext extends HiringApiDeps {
  now: () => Date;
  steps: MigrationSteps;
}

/** Bodies of the routes, matching `requests/*.json`. */
export interface CreateCandidateBody {
  name: string;
  surname: string;
}
export interface RateTaskBody {
  rating: number;
}
export interface AddSolutionBody {
  candidate_uid: string;
}
export interface RequestTaskUpdateBody {
  reason: string;
}
/** Bodies of the internal routes tasks calls (the shared contract). */
export type { UpdateTaskRequest as UpdateTaskBody, AssignTaskRequest as AssignTaskBody } from '../shared/contracts/internalRoutes.js';
