import { CfnResource } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { synthCheckedApp } from './appTemplates.js';

describe('synth-time checks on the whole app', () => {
  it('reports no unacknowledged cdk-nag AwsSolutions finding and no CloudFormation validation finding', () => {
    const { app } = synthCheckedApp();
    // Both report through the validation-plugin API: findings make synth throw with the report.
    expect(() => app.synth()).not.toThrow();
    // A full synth with every rule pack check: tens of seconds on a loaded 2-core box.
  }, 180_000);

  it('stays clean for another stage with the API Gateway account role opted in', () => {
    const { app } = synthCheckedApp({ stage: 'staging', 'apigateway.createAccountRole': 'true' });
    expect(() => app.synth()).not.toThrow();
  }, 180_000);

  it('leaves no unacknowledged warning or error annotation (what `cdk synth` would print)', () => {
    const { platform, services } = synthCheckedApp();
    for (const stack of [platform, services]) {
      expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue()), stack.stackName).toEqual([]);
      expect(Annotations.fromStack(stack).findError('*', Match.anyValue()), stack.stackName).toEqual([]);
    }
  }, 180_000);

  it('fails the synth on a template CloudFormation would reject (so a clean run means something)', () => {
    const { app, services } = synthCheckedApp();
    new CfnResource(services, 'Broken', { type: 'AWS::SQS::Queue', properties: { VisibilityTimeout: 'a while', NoSuchProperty: true } });
    expect(() => app.synth()).toThrow(/NoSuchProperty|VisibilityTimeout/);
  }, 180_000);
});
