import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { logger } from '../observability.js';
import { assertStepMove, parseStepsByKey, stepJumps } from './stepGuard.js';

/** What the CDK provider framework expects back from an `onEvent` handler. */
export interface StepGuardResponse {
  readonly PhysicalResourceId: string;
}

/**
 * `Custom::MigrationStepGuard` (through the CDK provider framework): on Update, compares the steps
 * being deployed (`ResourceProperties.Steps`) with the deployed ones (`OldResourceProperties.Steps`)
 * and fails the deploy when a link jumps more than one step, unless `AllowJump` is `true`. Every
 * other resource of the stack depends on the guard, so CloudFormation changes nothing before it
 * answers, and rolls the stack back when it refuses. Create (nothing deployed to compare with) and
 * Delete always succeed.
 */
export async function handler(event: CloudFormationCustomResourceEvent): Promise<StepGuardResponse> {
  const requested = parseStepsByKey(event.ResourceProperties.Steps);
  if (event.RequestType === 'Create') {
    logger.info('migration steps recorded', { requested });
    return { PhysicalResourceId: `${event.StackId.split('/')[1] ?? 'stack'}-migration-steps` };
  }
  if (event.RequestType === 'Update') {
    const deployed = parseStepsByKey(event.OldResourceProperties.Steps);
    const allowJump = String(event.ResourceProperties.AllowJump) === 'true';
    const jumps = stepJumps(deployed, requested);
    if (jumps.length > 0 && allowJump) logger.warn('migration step jump allowed by migration.allowJump', { jumps });
    assertStepMove(deployed, requested, { allowJump });
    logger.info('migration steps moved', { deployed, requested });
  }
  return { PhysicalResourceId: event.PhysicalResourceId };
}
