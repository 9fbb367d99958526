/**
 * The six link migrations (MIGRATIONS.md) as plain data, shared by the CDK app (which resources
 * exist at a step) and the Lambdas (how they behave at a step).
 *
 * A step number is "the last step done": 0 = the link as it was before the migration, the
 * highest number = the migration finished (today's final state, the default).
 */
import { linkBehaviour } from './plan.js';

export const MIGRATIONS = {
  managerStream: { key: 'migration.manager-stream', env: 'MIGRATION_MANAGER_STREAM_STEP', last: 5 },
  taskUpdated: { key: 'migration.task-updated', env: 'MIGRATION_TASK_UPDATED_STEP', last: 5 },
  taskUpdateRequest: { key: 'migration.task-update-request', env: 'MIGRATION_TASK_UPDATE_REQUEST_STEP', last: 6 },
  taskAssigned: { key: 'migration.task-assigned', env: 'MIGRATION_TASK_ASSIGNED_STEP', last: 5 },
  taskCreatedV1: { key: 'migration.task-created-v1', env: 'MIGRATION_TASK_CREATED_V1_STEP', last: 10 },
  managerLogin: { key: 'migration.manager-login', env: 'MIGRATION_MANAGER_LOGIN_STEP', last: 10 },
} as const;

export type MigrationId = keyof typeof MIGRATIONS;

/** The step of every migration. */
export type MigrationSteps = { readonly [K in MigrationId]: number };

export const MIGRATION_IDS = Object.keys(MIGRATIONS) as MigrationId[];

/** Every migration finished: today's final state. */
export const FINAL_STEPS: MigrationSteps = Object.fromEntries(MIGRATION_IDS.map((id) => [id, MIGRATIONS[id].last])) as MigrationSteps;

/** Thrown for a step out of range or an impossible combination of steps. */
export class MigrationStepError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationStepError';
  }
}

/**
 * Combinations of steps that cannot be deployed, as messages (empty when the steps are consistent).
 *
 * Only one cross-link constraint exists: the login migration changes the ManagerUpdated stream,
 * and that stream only exists once tasks publishes ManagerUpdated (manager-stream step 3). Before
 * that, tasks publishes no manager events at all, so there is nothing to migrate: manager-login
 * must stay at 0 until manager-stream reaches 3. (The other links are independent: each has its
 * own event, queue, route and call; TaskCreated and TaskUpdated carry no manager data.)
 */
export function stepConflicts(steps: MigrationSteps): string[] {
  const conflicts: string[] = [];
  if (steps.managerLogin > 0 && !linkBehaviour(steps).tasksPublishesManagerUpdated) {
    conflicts.push(
      `${MIGRATIONS.managerLogin.key}=${steps.managerLogin} needs ${MIGRATIONS.managerStream.key} >= 3: ` +
        'the login migration changes the ManagerUpdated stream, which tasks only publishes from manager-stream step 3 ' +
        `(got ${MIGRATIONS.managerStream.key}=${steps.managerStream}); finish manager-stream steps 1..3 first or set manager-login to 0`,
    );
  }
  return conflicts;
}

/** Parses one step value (a context value or an env string). */
export function parseStep(id: MigrationId, raw: unknown, source: string): number {
  const { last } = MIGRATIONS[id];
  if (raw === undefined || raw === null || raw === '') return last;
  const value = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(value) || value < 0 || value > last) {
    throw new MigrationStepError(`${source} must be an integer step in 0..${last}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** Validates a whole set of steps; throws {@link MigrationStepError} listing every conflict. */
export function assertConsistent(steps: MigrationSteps): MigrationSteps {
  const conflicts = stepConflicts(steps);
  if (conflicts.length > 0) throw new MigrationStepError(`impossible combination of migration steps:\n- ${conflicts.join('\n- ')}`);
  return steps;
}

/**
 * The steps a Lambda runs at, from the `MIGRATION_*_STEP` variables the stack sets (a variable is
 * set only while its link is not finished; absent = last step).
 *
 * @example
 * ```ts
 * const steps = stepsFromEnv(); // { managerStream: 5, ..., taskCreatedV1: 6 }
 * ```
 */
export function stepsFromEnv(env: NodeJS.ProcessEnv = process.env): MigrationSteps {
  return Object.fromEntries(MIGRATION_IDS.map((id) => [id, parseStep(id, env[MIGRATIONS[id].env], `env ${MIGRATIONS[id].env}`)])) as MigrationSteps;
}

/** The `MIGRATION_*_STEP` variables for `links` that are not finished (none at the final state). */
export function stepEnvironment(steps: MigrationSteps, links: readonly MigrationId[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const id of links) if (steps[id] !== MIGRATIONS[id].last) env[MIGRATIONS[id].env] = String(steps[id]);
  return env;
}
