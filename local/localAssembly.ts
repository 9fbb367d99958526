import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { App } from 'aws-cdk-lib';
import { buildHiringEvents } from '../lib/HiringEventsApp.js';
import { LOCAL_BUNDLE_SOURCE_CONTEXT } from '../lib/constructs/ServiceFunction.js';
import { bundleSourceFingerprint, withBundleCache } from './bundleCache.js';

/**
 * Context a local run overrides: parked events and deferred calls retry within seconds instead of
 * minutes, and waiting queues are redriven within seconds (first wait 2 s, doubling up to 16 s, DLQ
 * after 10 minutes instead of 14 days), so a laptop demo does not wait for production back-off.
 */
export const LOCAL_CONTEXT = {
  'parking.baseDelaySeconds': 1,
  'calls.deferDelaySeconds': 2,
  'waiting.firstDelaySeconds': 2,
  'waiting.maxDelaySeconds': 16,
  'waiting.horizonSeconds': 600,
  'waiting.redriveEveryMinutes': 1,
} as const;

/**
 * How long one scheduled minute lasts in a local run (`startLocalRuntime`'s `schedules` option):
 * EventBridge's finest rate is one minute, so the template cannot say seconds; locally a
 * `rate(1 minute)` redriver runs every second.
 */
export const LOCAL_SCHEDULE_SECONDS_PER_MINUTE = 1;

/** Folders and files whose change makes a local assembly stale. */
const SOURCES = ['bin', 'lib', 'lambdas', 'schemas', 'cdk.json', 'package-lock.json'];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((newest, name) => Math.max(newest, newestMtime(join(path, name))), stat.mtimeMs);
}

/** The context of the project's cdk.json (feature flags, defaults), as `cdk synth` passes it to the app. */
export function cdkJsonContext(root = '.'): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(resolve(root), 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
  return cdkJson.context ?? {};
}

export interface SynthLocalAssemblyOptions {
  /** Project root. Default: the current directory. */
  readonly root?: string;
  /** Where the assembly goes. Default: `.local/cdk.out`. */
  readonly outdir?: string;
  /** Extra context (e.g. a migration step), applied over cdk.json and {@link LOCAL_CONTEXT}. */
  readonly context?: Record<string, unknown>;
  /** Synthesize even when the assembly is newer than every source. */
  readonly force?: boolean;
}

/**
 * Synthesizes the same app `cdk deploy` ships (bundled Lambdas included) into a local folder, with
 * cdk.json's context plus the local overrides; reuses the folder when nothing changed since.
 * Returns the assembly folder and whether it was synthesized now.
 */
export function synthLocalAssembly(options: SynthLocalAssemblyOptions = {}): { outdir: string; synthesized: boolean } {
  const root = resolve(options.root ?? '.');
  const outdir = resolve(root, options.outdir ?? '.local/cdk.out');
  const manifest = join(outdir, 'manifest.json');
  const fresh = existsSync(manifest) && !options.force && !options.context && statSync(manifest).mtimeMs > Math.max(...SOURCES.map((s) => newestMtime(join(root, s))));
  if (fresh) return { outdir, synthesized: false };
  // The built-in CloudFormation validation (seconds per synth) runs at `cdk synth` and in the nag test;
  // a local run only needs the templates.
  const context = { ...cdkJsonContext(root), ...LOCAL_CONTEXT, ...options.context, [LOCAL_BUNDLE_SOURCE_CONTEXT]: bundleSourceFingerprint(root) };
  withBundleCache(root, outdir, () => {
    const app = new App({ outdir, builtinCloudFormationValidation: false, context });
    buildHiringEvents(app);
    app.synth();
  });
  return { outdir, synthesized: true };
}
