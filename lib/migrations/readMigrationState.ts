import type { Node } from 'constructs';
import {
  assertConsistent,
  MIGRATION_IDS,
  MIGRATIONS,
  parseStep,
  type MigrationSteps,
} from '../../lambdas/shared/migrations/steps.js';

/**
 * The six migration steps from CDK context (`cdk.json` or `-c migration.<link>=<step>`), each an
 * integer in its range (absent = the last step, today's final state), checked for impossible
 * combinations. Throws a `MigrationStepError` naming the key and the allowed range or conflict,
 * so `cdk synth` fails before anything is deployed.
 *
 * @example
 * ```ts
 * const steps = readMigrationState(app.node); // { managerStream: 5, taskUpdated: 5, ... }
 * ```
 */
export function readMigrationState(node: Node): MigrationSteps {
  const steps = Object.fromEntries(
    MIGRATION_IDS.map((id) => [id, parseStep(id, node.tryGetContext(MIGRATIONS[id].key), `context ${MIGRATIONS[id].key}`)]),
  ) as MigrationSteps;
  return assertConsistent(steps);
}
