import { MIGRATION_IDS, MIGRATIONS, type MigrationSteps } from './steps.js';

/**
 * The migration step guard's rule: a deploy moves each `migration.*` link forward by at most one step
 * from what is deployed. A bigger jump would skip a drain, a backfill or a "consumer learns v1" step
 * that the next step relies on. Moving back (a rollback, or CloudFormation undoing a failed update)
 * and staying put are always allowed; an explicit override (`-c migration.allowJump=true`) allows a
 * jump on purpose.
 */

/** The steps by context key (`{ 'migration.manager-stream': 5, ... }`): what the guard resource carries. */
export type StepsByKey = Readonly<Record<string, number>>;

/** One link moved forward by more than one step. */
export interface StepJump {
  readonly key: string;
  readonly deployed: number;
  readonly requested: number;
}

/** Thrown when a deploy would jump a link; the message names every link, its deployed and requested step. */
export class MigrationStepJumpError extends Error {
  constructor(readonly jumps: readonly StepJump[]) {
    super(
      `refused: ${jumps.map((j) => `${j.key} would move from deployed step ${j.deployed} to step ${j.requested}`).join('; ')}. ` +
        'Move each link one step per deploy (MIGRATIONS.md), or pass -c migration.allowJump=true to jump on purpose.',
    );
    this.name = 'MigrationStepJumpError';
  }
}

/** `{ 'migration.manager-stream': 5, ... }` for every link. */
export function stepsByKey(steps: MigrationSteps): StepsByKey {
  return Object.fromEntries(MIGRATION_IDS.map((id) => [MIGRATIONS[id].key, steps[id]]));
}

/**
 * Reads steps as CloudFormation hands custom resource properties over (numbers arrive as strings).
 * A value that is not a whole number is left out: the guard has nothing to compare it with.
 */
export function parseStepsByKey(value: unknown): StepsByKey {
  if (!value || typeof value !== 'object') return {};
  const steps: Record<string, number> = {};
  for (const [key, raw] of Object.entries(value as Record<string, unknown>)) {
    const step = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw) : NaN;
    if (Number.isInteger(step)) steps[key] = step;
  }
  return steps;
}

/** The links `requested` moves forward by more than one step from `deployed` (a link not deployed yet is no jump). */
export function stepJumps(deployed: StepsByKey, requested: StepsByKey): StepJump[] {
  return Object.entries(requested)
    .filter(([key, step]) => deployed[key] !== undefined && step - deployed[key]! > 1)
    .map(([key, step]) => ({ key, deployed: deployed[key]!, requested: step }));
}

/**
 * Throws {@link MigrationStepJumpError} when `requested` jumps a link and `allowJump` is not set.
 *
 * @example
 * ```ts
 * assertStepMove({ 'migration.task-created-v1': 4 }, { 'migration.task-created-v1': 6 }, { allowJump: false });
 * // MigrationStepJumpError: refused: migration.task-created-v1 would move from deployed step 4 to step 6. ...
 * ```
 */
export function assertStepMove(deployed: StepsByKey, requested: StepsByKey, options: { allowJump: boolean }): void {
  const jumps = stepJumps(deployed, requested);
  if (jumps.length > 0 && !options.allowJump) throw new MigrationStepJumpError(jumps);
}
