import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CallOutcome, ServiceCall } from '../shared/calls/index.js';
import { ConflictError } from '../shared/http/index.js';
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

/** The optimistic condition on the entity's version failed: someone changed it in between. */
export class VersionConflict extends Error {
  constructor(what: string) {
    super(`${what} was changed concurrently`);
    this.name = 'VersionConflict';
  }
}

/**
 * Runs a read-modify-write `attempt`, once more when it lost an optimistic-locking race
 * ({@link VersionConflict}); a second loss answers 409 `version_conflict`.
 *
 * @example
 * ```ts
 * return retryOnVersionConflict('manager', async () => { const m = await read(); await write(m); return m; });
 * ```
 */
export async function retryOnVersionConflict<T>(what: string, attempt: () => Promise<T>): Promise<T> {
  for (let round = 1; ; round += 1) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof VersionConflict)) throw error;
      if (round >= 2) throw new ConflictError(`${what} was changed concurrently; read it again and retry`, 'version_conflict');
    }
  }
}
