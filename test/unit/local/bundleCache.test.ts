import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { LOCAL_BUNDLE_SOURCE_CONTEXT, ServiceFunction } from '../../../lib/constructs/ServiceFunction.js';
import { BUNDLE_CACHE_DIR, bundleSourceFingerprint, withBundleCache } from '../../../local/bundleCache.js';

/** A one-function app synthesized into `outdir` (bundled by esbuild unless the cache has the bundle); its function's asset folder. */
function synthOneFunction(root: string, outdir: string, context: Record<string, unknown>): string {
  withBundleCache(root, outdir, () => {
    const app = new App({ outdir, context });
    const stack = new Stack(app, 'One');
    new ServiceFunction(stack, 'Fn', { service: 'test', entry: resolve('test/unit/local/fixtures/handler.ts') });
    app.synth();
  });
  const manifest = JSON.parse(readFileSync(join(outdir, 'One.assets.json'), 'utf8')) as { files: Record<string, { source: { path: string } }> };
  return Object.values(manifest.files).map((f) => f.source.path).find((p) => p.startsWith('asset.'))!;
}

describe('local bundle cache', () => {
  const root = mkdtempSync(join(tmpdir(), 'bundle-cache-'));

  it('bundles a function once for every local synth of the same sources, and hands the next synth the cached bundle', () => {
    const local = { [LOCAL_BUNDLE_SOURCE_CONTEXT]: 'sources-v1' };
    const first = synthOneFunction(root, join(root, 'out-1'), { ...local, 'migration.any': 1 });
    const second = synthOneFunction(root, join(root, 'out-2'), { ...local, 'migration.any': 2 });
    expect(second).toBe(first);
    const cached = join(root, BUNDLE_CACHE_DIR, first, 'index.js');
    // The second assembly's bundle is the cached file itself (a hard link), not a second esbuild output.
    expect(statSync(join(root, 'out-2', second, 'index.js')).ino).toBe(statSync(cached).ino);
    expect(readdirSync(join(root, 'out-2')).filter((n) => n.startsWith('asset.'))).toEqual([second]);

    const changed = synthOneFunction(root, join(root, 'out-3'), { [LOCAL_BUNDLE_SOURCE_CONTEXT]: 'sources-v2' });
    expect(changed).not.toBe(first);
  }, 120_000);

  it('leaves `cdk synth` alone: without the local context key the asset hash is CDK\'s own, from the bundle output', () => {
    const deployed = synthOneFunction(root, join(root, 'out-deploy'), {});
    const local = synthOneFunction(root, join(root, 'out-local'), { [LOCAL_BUNDLE_SOURCE_CONTEXT]: 'sources-v1' });
    expect(deployed).not.toBe(local);
  }, 120_000);

  it('fingerprints the bundle inputs by content', () => {
    const a = mkdtempSync(join(tmpdir(), 'fingerprint-'));
    writeFileSync(join(a, 'package-lock.json'), '{"v":1}');
    const before = bundleSourceFingerprint(a);
    expect(bundleSourceFingerprint(a)).toBe(before);
    writeFileSync(join(a, 'package-lock.json'), '{"v":2}');
    expect(bundleSourceFingerprint(a)).not.toBe(before);
  });
});
