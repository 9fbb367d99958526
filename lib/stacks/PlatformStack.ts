import { type Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { CfnAccount } from 'aws-cdk-lib/aws-apigateway';
import { EventBus, Match, type IEventBus } from 'aws-cdk-lib/aws-events';
import { ManagedPolicy, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { FINAL_STEPS, type MigrationSteps } from '../../lambdas/shared/migrations/steps.js';
import { PLATFORM_DEFAULTS } from '../constructs/defaults.js';
import { EventSchemaRegistry } from '../constructs/EventSchemaRegistry.js';
import { MigrationStepGuard } from '../constructs/MigrationStepGuard.js';
import type { SchemaFile } from '../schemaCatalog.js';
import { DEFAULT_STAGE, stageName } from '../stage.js';

export interface PlatformStackProps extends StackProps {
  /**
   * Prefix of every physical name (lib/stage.ts).
   * @default prod (`DEFAULT_STAGE`)
   */
  readonly stage?: string;
  /**
   * Name of the custom event bus.
   * @default - `<stage>-hiring-events`
   */
  readonly busName?: string;
  /** Schema versions live at the current migration steps. */
  readonly schemas: readonly SchemaFile[];
  /**
   * Publish them to the EventBridge Schema Registry (false for LocalStack, which has no registry).
   * @default true
   */
  readonly publishSchemas?: boolean;
  /**
   * How long the archive keeps events for replay.
   * @default 30 days (`PLATFORM_DEFAULTS.archiveRetention`)
   */
  readonly archiveRetention?: Duration;
  /**
   * The migration steps (the step guard refuses a jump).
   * @default - every migration finished (`FINAL_STEPS`)
   */
  readonly migration?: MigrationSteps;
  /**
   * Let this deploy jump a migration link by more than one step.
   * @default false
   */
  readonly allowMigrationJump?: boolean;
  /**
   * Create the account's API Gateway CloudWatch Logs role (`AWS::ApiGateway::Account`), which the
   * services' API stages need to write access logs. Account-wide, once per account and region.
   * @default false
   */
  readonly createApiGatewayAccountRole?: boolean;
}

/** What every service shares: the custom event bus, its archive and the schema registry. */
export class PlatformStack extends Stack {
  readonly bus: IEventBus;
  /** Absent when `publishSchemas` is false. */
  readonly schemaRegistry?: EventSchemaRegistry;
  readonly stepGuard: MigrationStepGuard;

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id, props);
    const stage = props.stage ?? DEFAULT_STAGE;
    // The schemas published below change with the steps: the guard comes first here too.
    this.stepGuard = new MigrationStepGuard(this, 'MigrationStepGuard', { steps: props.migration ?? FINAL_STEPS, allowJump: props.allowMigrationJump });

    const busName = props.busName ?? stageName(stage, 'hiring-events');
    const bus = new EventBus(this, 'Bus', { eventBusName: busName, description: `hiring-events (${stage}): service events` });
    // The archive lets a team replay events after fixing a consumer; consumers are idempotent, so a
    // replay re-applies nothing that was already applied. It is kept when the stack is deleted (its
    // events are the only copy), so it carries no fixed name: CloudFormation names it after the
    // stack, and a `cdk destroy` + `cdk deploy` creates a new archive beside the kept one instead of
    // failing on the name (README, "Destroy and deploy again").
    const archive = bus.archive('Archive', {
      description: `hiring-events (${stage}): every event the services publish, for replay`,
      eventPattern: { source: Match.prefix('hiring-events.') },
      retention: props.archiveRetention ?? PLATFORM_DEFAULTS.archiveRetention,
    });
    archive.applyRemovalPolicy(RemovalPolicy.RETAIN);
    this.bus = bus;

    if (props.createApiGatewayAccountRole) this.addApiGatewayAccountRole();

    if (props.publishSchemas === false) return;
    this.schemaRegistry = new EventSchemaRegistry(this, 'Schemas', {
      registryName: busName,
      schemas: props.schemas,
    });
  }

  /**
   * The account-level setting API Gateway uses to write logs: without it, creating a stage with
   * access logs fails ("CloudWatch Logs role ARN must be set in account settings"). The role is
   * kept on stack deletion: deleting it would break logging of every other API of the account.
   */
  private addApiGatewayAccountRole(): void {
    const role = new Role(this, 'ApiGatewayCloudWatchRole', {
      assumedBy: new ServicePrincipal('apigateway.amazonaws.com'),
      description: 'API Gateway account setting: lets API Gateway write access and execution logs to CloudWatch Logs',
      managedPolicies: [ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonAPIGatewayPushToCloudWatchLogs')],
    });
    role.applyRemovalPolicy(RemovalPolicy.RETAIN);
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason:
        "AWS's own policy for the API Gateway account role: API Gateway names the log groups it writes (execution logs of every API of the account), so the role cannot be scoped to this app's log groups.",
    });
    const account = new CfnAccount(this, 'ApiGatewayAccount', { cloudWatchRoleArn: role.roleArn });
    account.applyRemovalPolicy(RemovalPolicy.RETAIN);
  }
}
