import { App, CfnResource, Stack } from 'aws-cdk-lib';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { addSynthChecks, synthCheckedApp } from './appTemplates.js';

describe('synth-time checks on the whole app', () => {
  // One checked synth of the default app serves the first and third test (a full synth with every
  // rule pack costs tens of seconds on a loaded 2-core box).
  let checked: ReturnType<typeof synthCheckedApp>;
  let assembly: CloudAssembly | undefined;
  let failure: unknown;
  beforeAll(() => {
    checked = synthCheckedApp();
    try {
      assembly = checked.app.synth();
    } catch (error) {
      failure = error;
    }
  }, 180_000);

  it('reports no unacknowledged cdk-nag AwsSolutions finding and no CloudFormation validation finding', () => {
    // Both report through the validation-plugin API: findings make synth throw with the report.
    expect(failure).toBeUndefined();
    expect(assembly).toBeDefined();
  });

  it('stays clean for another stage with the API Gateway account role opted in', () => {
    const { app } = synthCheckedApp({ stage: 'staging', 'apigateway.createAccountRole': 'true' });
    expect(() => app.synth()).not.toThrow();
  }, 180_000);

  it('leaves no unacknowledged warning or error annotation (what `cdk synth` would print)', () => {
    for (const stack of [checked.platform, checked.services]) {
      const messages = assembly!.getStackArtifact(stack.artifactId).messages;
      expect(
        messages.filter((m) => m.level === 'warning' || m.level === 'error').map((m) => `${m.id}: ${String(m.entry.data)}`),
        stack.stackName,
      ).toEqual([]);
    }
  });

  it('fails the synth on a template CloudFormation would reject (so a clean run means something)', () => {
    // The same checks on an app of one stack: what they report does not depend on the app's size.
    const app = new App({ context: { '@aws-cdk/core:strictCfnValidateErrors': true } });
    addSynthChecks(app);
    new CfnResource(new Stack(app, 'Probe'), 'Broken', { type: 'AWS::SQS::Queue', properties: { VisibilityTimeout: 'a while', NoSuchProperty: true } });
    expect(() => app.synth()).toThrow(/NoSuchProperty|VisibilityTimeout/);
  }, 180_000);
});

// In this file, not one of its own: the checked synths of a test file share one CloudFormation
// validation engine (see addSynthChecks), whose start costs more than validating the app.
/** The legacy routes, calls and grants of the early steps stay cdk-nag clean (with their acknowledgements) and valid CloudFormation. */
describe('cdk-nag AwsSolutions and CloudFormation validation at migration steps', () => {
  it.each([
    ['every link before its migration', { 'migration.manager-stream': 0, 'migration.task-updated': 0, 'migration.task-update-request': 0, 'migration.task-assigned': 0, 'migration.task-created-v1': 0, 'migration.manager-login': 0 }],
    ['every link mid-way', { 'migration.manager-stream': 3, 'migration.task-updated': 2, 'migration.task-update-request': 4, 'migration.task-assigned': 3, 'migration.task-created-v1': 6, 'migration.manager-login': 4 }],
  ])('%s', (_, context) => {
    const { app } = synthCheckedApp(context);
    expect(() => app.synth()).not.toThrow();
  }, 240_000);
});
