import { Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IConstruct } from 'constructs';

/**
 * cdk-nag acknowledgements that recur, each with its reason, scoped to the exact finding (the
 * resource a wildcard is under), so a new, unrelated wildcard still fails the synth.
 */

/** `<LogicalId.Arn>` as cdk-nag prints a resource's ARN in a finding. */
function arnToken(resource: IConstruct): string {
  const cfn = resource.node.defaultChild as CfnElement;
  return `<${Stack.of(cfn).resolve(cfn.logicalId) as string}.Arn>`;
}

/** `grant*Data` on a table also covers its indexes (`<table>/index/*`): only this table's own indexes. */
export function acknowledgeTableIndexes(scope: IConstruct, table: ITable): void {
  Validations.of(scope).acknowledge({
    id: `AwsSolutions-IAM5[Resource::${arnToken(table)}/index/*]`,
    reason: "Access to the service's own table includes its own secondary indexes (the outbox index); no other table is reachable.",
  });
}

/** X-Ray and `dynamodb:ListStreams` have no resource-level permissions: `Resource: *` is the only form. */
export function acknowledgeUnscopableActions(scope: IConstruct): void {
  Validations.of(scope).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'Only xray:PutTraceSegments, xray:PutTelemetryRecords and dynamodb:ListStreams, which support no resource-level permissions.',
  });
}

/** `execute-api:Invoke` on `<api>/<stage>/*\/internal/*`: any method, internal routes of one API and stage only. */
export function acknowledgeInternalRoutes(scope: IConstruct, restApi: IConstruct, stageName: string): void {
  const cfn = restApi.node.defaultChild as CfnElement;
  const id = Stack.of(cfn).resolve(cfn.logicalId) as string;
  Validations.of(scope).acknowledge({
    id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<${id}>/${stageName}/*/internal/*]`,
    reason: "The caller may invoke only the callee's internal routes (any method) on its one stage.",
  });
}

/** The CDK provider framework may invoke its handler's versions and aliases (`<fn>:*`): one function, no other. */
export function acknowledgeProviderInvoke(scope: IConstruct, handler: IConstruct): void {
  Validations.of(scope).acknowledge({
    id: `AwsSolutions-IAM5[Resource::${arnToken(handler)}:*]`,
    reason: "The CDK provider framework's role may invoke its one handler function, any version or alias of it (`<function ARN>:*`), nothing else.",
  });
}
