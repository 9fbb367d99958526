import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { synthApp } from './appTemplates.js';

describe('cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged finding on the whole app', () => {
    const { app } = synthApp();
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    // cdk-nag reports through the validation-plugin API: findings make synth throw with the list.
    expect(() => app.synth()).not.toThrow();
    // A full synth with every rule pack check: tens of seconds on a loaded 2-core box.
  }, 180_000);
});
