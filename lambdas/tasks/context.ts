import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CallOutcome, ServiceCall } from '../shared/calls/index.js';
import type { TasksStore } from './store.js';
import type { MigrationSteps } from '../shared/migrations/steps.js';

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
