import { Aspects, CfnOutput, CfnResource, CustomResource, Stack, type IAspect } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Provider } from 'aws-cdk-lib/custom-resources';
import { Construct, type IConstruct } from 'constructs';
import { stepsByKey } from '../../lambdas/shared/migrations/stepGuard.js';
import type { MigrationSteps } from '../../lambdas/shared/migrations/steps.js';
import { acknowledgeProviderInvoke } from '../nag.js';
import { FUNCTION_DEFAULTS } from './defaults.js';
import { repoPath } from './paths.js';
import { ServiceFunction } from './ServiceFunction.js';

export interface MigrationStepGuardProps {
  /** The steps this deploy moves the links to. */
  readonly steps: MigrationSteps;
  /**
   * Allow a link to move forward by more than one step (context `migration.allowJump`).
   * @default false
   */
  readonly allowJump?: boolean;
}

/** Logical id of the stack output holding the deployed steps (`npm run migrate -- status` reads it). */
export const MIGRATION_STEPS_OUTPUT = 'MigrationSteps';

/**
 * Refuses a deploy that moves a `migration.*` link forward by more than one step from what the stack
 * has deployed. A `Custom::MigrationStepGuard` resource carries the steps; on Update its handler
 * (`lambdas/shared/migrations/stepGuardHandler.ts`, behind the CDK provider framework) compares them
 * with the previous ones CloudFormation passes along and fails, naming the link, the deployed step
 * and the requested one. Every other resource of the stack depends on the guard (an aspect adds the
 * `DependsOn`, so resources added later are covered too): CloudFormation changes nothing before the
 * guard answers, and a refusal rolls the update back untouched.
 *
 * Each stack carries its own guard (the Platform stack's schemas change with the steps too), so
 * deploying one stack alone (`cdk deploy -e`) is guarded as well. The steps are also the stack
 * output `MigrationSteps` (JSON).
 *
 * @example
 * ```ts
 * new MigrationStepGuard(this, 'MigrationStepGuard', { steps, allowJump: config.migrationAllowJump });
 * ```
 */
export class MigrationStepGuard extends Construct {
  readonly resource: CustomResource;
  readonly handler: ServiceFunction;

  constructor(scope: Construct, id: string, props: MigrationStepGuardProps) {
    super(scope, id);
    const steps = stepsByKey(props.steps);
    this.handler = new ServiceFunction(this, 'Handler', {
      service: 'migrations',
      entry: repoPath('lambdas/shared/migrations/stepGuardHandler.ts'),
      description: 'hiring-events: refuses a deploy that moves a migration link by more than one step',
    });
    // The framework function gets its own role and log group: no AWS managed policy, writes only there.
    const frameworkLogs = new LogGroup(this, 'ProviderLogs', { retention: FUNCTION_DEFAULTS.logRetention });
    const frameworkRole = new Role(this, 'ProviderRole', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    frameworkLogs.grantWrite(frameworkRole);
    const provider = new Provider(this, 'Provider', { onEventHandler: this.handler, frameworkOnEventRole: frameworkRole, logGroup: frameworkLogs });
    acknowledgeProviderInvoke(frameworkRole, this.handler);
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::MigrationStepGuard',
      properties: { Steps: steps, AllowJump: String(props.allowJump ?? false) },
    });

    const stack = Stack.of(this);
    Aspects.of(stack).add(new DependOnGuard(this, this.resource.node.defaultChild as CfnResource));
    const output = new CfnOutput(stack, MIGRATION_STEPS_OUTPUT, {
      value: JSON.stringify(steps),
      description: 'The migration.* steps deployed in this stack (npm run migrate -- status)',
    });
    output.overrideLogicalId(MIGRATION_STEPS_OUTPUT);
  }
}

/** Makes every resource of the stack outside the guard's own subtree depend on the guard resource. */
class DependOnGuard implements IAspect {
  constructor(
    private readonly guard: Construct,
    private readonly guardResource: CfnResource,
  ) {}

  visit(node: IConstruct): void {
    if (!(node instanceof CfnResource) || node === this.guardResource) return;
    if (node.node.scopes.includes(this.guard)) return;
    if (Stack.of(node) !== Stack.of(this.guard)) return;
    node.addResourceDependency(this.guardResource, 'the migration step guard answers before anything changes');
  }
}
