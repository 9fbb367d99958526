import { App, CloudFormationValidatePlugin, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildHiringEvents } from '../../lib/HiringEventsApp.js';
import { cdkJsonContext } from '../../local/localAssembly.js';

/**
 * The whole app synthesized once per test file with cdk.json's context (feature flags, defaults) as
 * `cdk synth` gives it, without bundling the Lambdas (bundling is esbuild's job and costs seconds per
 * function; the templates are the same apart from asset hashes).
 */
export function synthApp(context: Record<string, unknown> = {}) {
  const app = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [], 'aws:cdk:enable-path-metadata': true, ...context } });
  const stacks = buildHiringEvents(app);
  return {
    app,
    ...stacks,
    platformTemplate: () => Template.fromStack(stacks.platform),
    servicesTemplate: () => Template.fromStack(stacks.services),
  };
}

/**
 * The app with the checks `cdk synth` runs: cdk-nag AwsSolutions and CDK's CloudFormation validation
 * (registered explicitly, since the test environment turns the built-in one off for speed), any
 * finding of either, warnings included, failing `app.synth()` with the report.
 */
export function synthCheckedApp(context: Record<string, unknown> = {}) {
  const synthesized = synthApp({ '@aws-cdk/core:strictCfnValidateErrors': true, ...context });
  addSynthChecks(synthesized.app);
  return synthesized;
}

/**
 * One CloudFormation validation engine for every checked synth of a test worker (the infra files
 * share a module graph): starting the engine costs ~8 s of CPU, validating the app's templates
 * with a started one ~1 s. It keeps no state of an app between validations.
 */
let cloudFormationValidation: CloudFormationValidatePlugin | undefined;

/** Registers on `app` the checks {@link synthCheckedApp} runs (cdk-nag AwsSolutions, CloudFormation validation). */
export function addSynthChecks(app: App): void {
  cloudFormationValidation ??= new CloudFormationValidatePlugin();
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), cloudFormationValidation);
}
