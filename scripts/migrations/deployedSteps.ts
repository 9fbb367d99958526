import { type CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudAssembly } from '../../local/assembly.js';
import { MIGRATION_STEPS_OUTPUT } from '../../lib/constructs/MigrationStepGuard.js';
import { stackIds } from '../../lib/stage.js';
import { parseStepsByKey, type StepsByKey } from '../../lambdas/shared/migrations/stepGuard.js';
import { MIGRATION_IDS, MIGRATIONS, parseStep, type MigrationSteps } from '../../lambdas/shared/migrations/steps.js';

/**
 * The migration steps a stage has deployed, read from its stacks' `MigrationSteps` output (written by
 * the step guard at every deploy): from AWS CloudFormation (`DescribeStacks`), or from a local cloud
 * assembly (what the offline runtime runs). Both stacks are read: they differ only while a deploy of
 * the two is half done.
 */

/** One stack's deployed steps; `undefined` when the stack has no `MigrationSteps` output (deployed before the step guard). */
export interface StackSteps {
  readonly stack: string;
  readonly steps: StepsByKey | undefined;
}

export interface DeployedSteps {
  /** Where the steps were read: `AWS CloudFormation` or `local assembly <dir>`. */
  readonly source: string;
  /** The services stack, then the platform stack. */
  readonly stacks: readonly [StackSteps, StackSteps];
}

/** Thrown when a stack of the stage is not deployed (not in the assembly / not in the account). */
export class StackNotDeployedError extends Error {
  constructor(stack: string, where: string) {
    super(`stack ${stack} is not deployed (${where}): check the stage (--stage) and the account/region (AWS_PROFILE, AWS_REGION)`);
    this.name = 'StackNotDeployedError';
  }
}

const parseOutput = (value: unknown): StepsByKey | undefined => (typeof value === 'string' ? parseStepsByKey(JSON.parse(value)) : undefined);

/** From AWS: `DescribeStacks` of both stacks of `stage`. */
export async function deployedStepsFromAws(cloudFormation: CloudFormationClient, stage: string): Promise<DeployedSteps> {
  const ids = stackIds(stage);
  const read = async (stack: string): Promise<StackSteps> => {
    try {
      const { Stacks = [] } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stack }));
      const output = Stacks[0]?.Outputs?.find((o) => o.OutputKey === MIGRATION_STEPS_OUTPUT);
      return { stack, steps: parseOutput(output?.OutputValue) };
    } catch (error) {
      // DescribeStacks answers a ValidationError "Stack with id X does not exist".
      if ((error as { name?: string }).name === 'ValidationError' && /does not exist/.test(String((error as Error).message))) {
        throw new StackNotDeployedError(stack, 'AWS CloudFormation');
      }
      throw error;
    }
  };
  return { source: 'AWS CloudFormation', stacks: [await read(ids.services), await read(ids.platform)] };
}

/** From a local cloud assembly (`.local/cdk.out` is what `npm start` runs). */
export function deployedStepsFromAssembly(dir: string, stage: string): DeployedSteps {
  const assembly = CloudAssembly.load(dir);
  const ids = stackIds(stage);
  const read = (stack: string): StackSteps => {
    const loaded = assembly.stack(stack);
    if (!loaded) throw new StackNotDeployedError(stack, `not in the assembly ${dir}, which has ${assembly.stacks.map((s) => s.name).join(', ')}`);
    return { stack, steps: parseOutput(loaded.template.Outputs?.[MIGRATION_STEPS_OUTPUT]?.Value) };
  };
  return { source: `local assembly ${dir}`, stacks: [read(ids.services), read(ids.platform)] };
}

/**
 * The services stack's steps as `MigrationSteps` (every link), for commands that depend on a step;
 * throws when they are not recorded or the two stacks disagree, rather than guessing.
 */
export function stepsOf(deployed: DeployedSteps): MigrationSteps {
  const [services, platform] = deployed.stacks;
  if (!services.steps) throw new Error(`${services.stack} has no ${MIGRATION_STEPS_OUTPUT} output (${deployed.source}): it was deployed before the step guard; deploy it once, then retry`);
  if (platform.steps && JSON.stringify(platform.steps) !== JSON.stringify(services.steps)) {
    throw new Error(`${services.stack} and ${platform.stack} have different steps (${deployed.source}): finish the deploy of both stacks (cdk deploy --all), then retry`);
  }
  return Object.fromEntries(MIGRATION_IDS.map((id) => [id, parseStep(id, services.steps![MIGRATIONS[id].key], `${services.stack} output ${MIGRATION_STEPS_OUTPUT}`)])) as MigrationSteps;
}

/** The lines `npm run migrate -- status` prints. */
export function formatStepsStatus(deployed: DeployedSteps): string[] {
  const [services, platform] = deployed.stacks;
  const lines = [`Deployed migration steps of ${services.stack} (from ${deployed.source}):`];
  if (!services.steps) {
    lines.push(`  none recorded: the stack has no ${MIGRATION_STEPS_OUTPUT} output (deployed before the step guard); the next deploy records them`);
    return lines;
  }
  const width = Math.max(...MIGRATION_IDS.map((id) => MIGRATIONS[id].key.length));
  for (const id of MIGRATION_IDS) {
    const { key, last } = MIGRATIONS[id];
    const step = services.steps[key];
    const state = step === undefined ? 'not recorded' : step === last ? 'done' : step === 0 ? 'not started' : `in progress: next deploy may move it to step ${step + 1}`;
    lines.push(`  ${key.padEnd(width)}  ${String(step ?? '?').padStart(2)} / ${String(last).padStart(2)}  ${state}`);
  }
  if (platform.steps && JSON.stringify(platform.steps) !== JSON.stringify(services.steps)) {
    const differing = Object.keys(services.steps).filter((key) => platform.steps![key] !== services.steps![key]);
    lines.push(`  ${platform.stack} differs: ${differing.map((key) => `${key}=${platform.steps![key]}`).join(', ')} (a deploy of the two stacks is half done: cdk deploy --all)`);
  }
  return lines;
}
