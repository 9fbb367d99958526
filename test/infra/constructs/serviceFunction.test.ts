import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { LAZY_CREDENTIAL_PROVIDERS, ServiceFunction } from '../../../lib/constructs/ServiceFunction.js';

/** The calls scheduler (SQS client + util-dynamodb) bundled by `ServiceFunction` outside the repository; its bundle's path. */
function bundleScheduler(bundleAwsSdk: boolean): string {
  const outdir = mkdtempSync(join(tmpdir(), 'service-function-'));
  const app = new App({ outdir });
  const stack = new Stack(app, 'One');
  new ServiceFunction(stack, 'Fn', { service: 'test', entry: resolve('lambdas/shared/calls/schedulerHandler.ts'), bundleAwsSdk });
  app.synth();
  const manifest = JSON.parse(readFileSync(join(outdir, 'One.assets.json'), 'utf8')) as { files: Record<string, { source: { path: string } }> };
  const asset = Object.values(manifest.files).map((f) => f.source.path).find((p) => p.startsWith('asset.'))!;
  return join(outdir, asset, 'index.js');
}

const packagesRequired = (bundle: string) => [...new Set([...readFileSync(bundle, 'utf8').matchAll(/require\("(@aws-sdk\/[^"]+|@smithy\/[^"]+)"\)/g)].map((m) => m[1]))];

/** Loads `bundle` in a fresh Node process where no node_modules is reachable (the bundle lies outside the repository). */
const loadAlone = (bundle: string) =>
  execFileSync(process.execPath, ['-e', 'process.stdout.write(typeof require(process.argv[1]).handler)', bundle], {
    env: { PATH: process.env.PATH, AWS_REGION: 'eu-west-1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  }).toString();

describe('ServiceFunction', () => {
  it('leaves the AWS SDK to the runtime by default', () => {
    const bundle = bundleScheduler(false);
    expect(packagesRequired(bundle)).toContain('@aws-sdk/client-sqs');
    expect(() => loadAlone(bundle)).toThrow(/Cannot find module '@aws-sdk\/client-sqs'/);
  }, 120_000);

  it('with bundleAwsSdk, carries the SDK: it loads with no SDK around, only the credential providers Lambda never reaches stay external', () => {
    const bundle = bundleScheduler(true);
    expect(packagesRequired(bundle).sort()).toEqual([...LAZY_CREDENTIAL_PROVIDERS].sort());
    // Those requires sit in the credential chain's later links, not at load.
    expect(loadAlone(bundle)).toBe('function');
  }, 120_000);
});
