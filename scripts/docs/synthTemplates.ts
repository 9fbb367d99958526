import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { buildHiringEvents } from '../../lib/HiringEventsApp.js';
import type { MigrationSteps } from '../../lambdas/shared/migrations/steps.js';
import { cdkJsonContext } from '../../local/localAssembly.js';
import { TemplateIndex } from './templateIndex.js';

/** The app's templates at one set of context values, and the migration steps they were built at. */
export interface SynthesizedApp {
  readonly templates: TemplateIndex;
  readonly steps: MigrationSteps;
}

/**
 * Synthesizes the app `cdk deploy` ships, in process, with cdk.json's context plus `context` (the
 * `-c key=value` of the command line), the way `local/localAssembly.ts` does. Lambdas are not
 * bundled (esbuild would cost seconds per function; the templates are the same apart from asset
 * hashes) and the construct path of every resource is kept, so the docs can name it.
 */
export function synthTemplates(context: Record<string, unknown> = {}): SynthesizedApp {
  const outdir = mkdtempSync(join(tmpdir(), 'hiring-events-docs-'));
  try {
    const app = new App({
      outdir,
      builtinCloudFormationValidation: false,
      context: { ...cdkJsonContext(), ...context, 'aws:cdk:bundling-stacks': [], 'aws:cdk:enable-path-metadata': true },
    });
    const { migration } = buildHiringEvents(app);
    const assembly = app.synth();
    return {
      templates: new TemplateIndex(assembly.stacks.map((stack) => ({ name: stack.stackName, template: stack.template }))),
      steps: migration,
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
