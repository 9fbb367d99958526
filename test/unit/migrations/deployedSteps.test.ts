import { CloudFormationClient, CloudFormationServiceException, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { stepsByKey } from '../../../lambdas/shared/migrations/stepGuard.js';
import { FINAL_STEPS } from '../../../lambdas/shared/migrations/steps.js';
import { deployedStepsFromAws, formatStepsStatus, StackNotDeployedError, stepsOf } from '../../../scripts/migrations/deployedSteps.js';

const cloudFormation = new CloudFormationClient({ region: 'eu-west-1' });
const cfn = mockClient(cloudFormation);
const midWay = { ...FINAL_STEPS, taskCreatedV1: 6 };

/** DescribeStacks answers with `MigrationSteps` outputs per stack name. */
function stacks(outputs: Record<string, Record<string, number> | undefined>) {
  cfn.on(DescribeStacksCommand).callsFake(({ StackName }: { StackName: string }) => {
    if (!(StackName in outputs)) {
      throw new CloudFormationServiceException({ name: 'ValidationError', $fault: 'client', $metadata: {}, message: `Stack with id ${StackName} does not exist` });
    }
    const steps = outputs[StackName];
    return { Stacks: [{ StackName, CreationTime: new Date(), StackStatus: 'UPDATE_COMPLETE', Outputs: steps ? [{ OutputKey: 'MigrationSteps', OutputValue: JSON.stringify(steps) }, { OutputKey: 'Other', OutputValue: 'x' }] : [] }] };
  });
}

beforeEach(() => cfn.reset());

describe('npm run migrate -- status, against AWS (DescribeStacks)', () => {
  it("reads the stage's stacks' MigrationSteps output and prints every link with its state", async () => {
    stacks({ 'staging-HiringEvents-Services': stepsByKey(midWay), 'staging-HiringEvents-Platform': stepsByKey(midWay) });
    const deployed = await deployedStepsFromAws(cloudFormation, 'staging');
    expect(cfn.commandCalls(DescribeStacksCommand).map((c) => c.args[0].input.StackName)).toEqual(['staging-HiringEvents-Services', 'staging-HiringEvents-Platform']);
    expect(stepsOf(deployed)).toEqual(midWay);
    expect(formatStepsStatus(deployed)).toEqual([
      'Deployed migration steps of staging-HiringEvents-Services (from AWS CloudFormation):',
      '  migration.manager-stream        5 /  5  done',
      '  migration.task-updated          5 /  5  done',
      '  migration.task-update-request   6 /  6  done',
      '  migration.task-assigned         5 /  5  done',
      '  migration.task-created-v1       6 / 10  in progress: next deploy may move it to step 7',
      '  migration.manager-login        10 / 10  done',
    ]);
  });

  it('says when the two stacks disagree (a half-done deploy) and refuses to hand out steps then', async () => {
    stacks({ 'prod-HiringEvents-Services': stepsByKey(midWay), 'prod-HiringEvents-Platform': stepsByKey({ ...midWay, taskCreatedV1: 7 }) });
    const deployed = await deployedStepsFromAws(cloudFormation, 'prod');
    expect(formatStepsStatus(deployed).at(-1)).toBe('  prod-HiringEvents-Platform differs: migration.task-created-v1=7 (a deploy of the two stacks is half done: cdk deploy --all)');
    expect(() => stepsOf(deployed)).toThrow(/have different steps/);
  });

  it('says when a stack was deployed before the step guard, and when the stage is not deployed', async () => {
    stacks({ 'prod-HiringEvents-Services': undefined, 'prod-HiringEvents-Platform': undefined });
    const deployed = await deployedStepsFromAws(cloudFormation, 'prod');
    expect(formatStepsStatus(deployed)[1]).toMatch(/none recorded: the stack has no MigrationSteps output/);
    expect(() => stepsOf(deployed)).toThrow(/deployed before the step guard/);
    stacks({});
    await expect(deployedStepsFromAws(cloudFormation, 'qa')).rejects.toBeInstanceOf(StackNotDeployedError);
    await expect(deployedStepsFromAws(cloudFormation, 'qa')).rejects.toThrow('stack qa-HiringEvents-Services is not deployed (AWS CloudFormation)');
  });
});
