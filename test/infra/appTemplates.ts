import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildHiringEvents } from '../../lib/HiringEventsApp.js';

/**
 * The whole app synthesized once per test file, without bundling the Lambdas (bundling is
 * esbuild's job and costs seconds per function; the templates are the same apart from asset hashes).
 */
export function synthApp(context: Record<string, unknown> = {}) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], 'aws:cdk:enable-path-metadata': true, ...context } });
  const stacks = buildHiringEvents(app);
  return {
    app,
    ...stacks,
    platformTemplate: () => Template.fromStack(stacks.platform),
    servicesTemplate: () => Template.fromStack(stacks.services),
  };
}
