import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, utimesSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

/**
 * Lambda bundles shared by every local synth of one working tree. Bundling (esbuild, once per
 * function) is ~90% of a synth, and the local synths of a test run or a migration walk (one per
 * step) bundle the same sources with the same options again and again. Local synths give each
 * function an asset hash derived from {@link bundleSourceFingerprint} (see `ServiceFunction`), so
 * the same sources always land in the same `asset.<hash>` folder; CDK skips bundling when that
 * folder already exists in the output directory, and this module puts it there from the cache.
 */
export const BUNDLE_CACHE_DIR = '.local/bundle-cache';

/** Everything a bundle is built from besides its entry and options: the function sources, the locked dependencies, the compiler settings. */
const BUNDLE_INPUTS = ['lambdas', 'package-lock.json', 'tsconfig.json'];

/** Cache entries unused this long are removed (each use refreshes an entry's time). */
const MAX_AGE_MS = 3 * 24 * 3600_000;

function filesUnder(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!lstatSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((name) => filesUnder(join(path, name)));
}

/** A content hash of the bundle inputs (paths and bytes): equal fingerprints, equal bundles. */
export function bundleSourceFingerprint(root: string): string {
  const hash = createHash('sha256');
  for (const file of BUNDLE_INPUTS.flatMap((input) => filesUnder(join(root, input)))) {
    hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

const PARTIAL = '.partial';
const isAsset = (name: string) => name.startsWith('asset.') && !name.endsWith(PARTIAL);

/** Hard-links a file or folder tree (a copy where links are impossible): a pruned cache entry never breaks an assembly. */
function linkTree(from: string, to: string): void {
  if (lstatSync(from).isDirectory()) {
    mkdirSync(to);
    for (const name of readdirSync(from)) linkTree(join(from, name), join(to, name));
    return;
  }
  try {
    linkSync(from, to);
  } catch {
    copyFileSync(from, to);
  }
}

/** Asset paths the assembly's asset manifests reference (relative to `outdir`). */
function referencedAssets(outdir: string): Set<string> {
  const paths = new Set<string>();
  for (const name of readdirSync(outdir).filter((n) => n.endsWith('.assets.json'))) {
    const manifest = JSON.parse(readFileSync(join(outdir, name), 'utf8')) as { files?: Record<string, { source?: { path?: string } }> };
    for (const file of Object.values(manifest.files ?? {})) if (file.source?.path) paths.add(file.source.path);
  }
  return paths;
}

/**
 * Runs `synth` (which writes a cloud assembly into `outdir`) with the cached bundles linked into
 * `outdir`, then keeps the bundles it produced for the next synth. Linked entries the assembly
 * does not use are removed again, so `outdir` holds only its own assets.
 */
export function withBundleCache(root: string, outdir: string, synth: () => void): void {
  const cache = resolve(root, BUNDLE_CACHE_DIR);
  mkdirSync(cache, { recursive: true });
  mkdirSync(outdir, { recursive: true });
  const seeded = new Set<string>();
  for (const name of readdirSync(cache).filter(isAsset)) {
    const target = join(outdir, name);
    if (existsSync(target)) continue;
    linkTree(join(cache, name), target);
    seeded.add(name);
  }
  try {
    synth();
  } finally {
    keepNewBundles(cache, outdir, seeded);
  }
  pruneCache(cache);
}

function keepNewBundles(cache: string, outdir: string, seeded: ReadonlySet<string>): void {
  const used = referencedAssets(outdir);
  const now = new Date();
  for (const name of readdirSync(outdir).filter(isAsset)) {
    const path = join(outdir, name);
    const cached = join(cache, name);
    if (seeded.has(name)) {
      if (used.has(name)) utimesSync(cached, now, now);
      else rmSync(path, { recursive: true, force: true });
      continue;
    }
    if (existsSync(cached)) continue;
    // Link then rename: another synth (a parallel test file) never sees a half-written entry.
    const partial = `${cached}.${process.pid}${PARTIAL}`;
    rmSync(partial, { recursive: true, force: true });
    linkTree(path, partial);
    try {
      renameSync(partial, cached);
    } catch {
      rmSync(partial, { recursive: true, force: true }); // another synth cached the same bundle first
    }
  }
}

function pruneCache(cache: string): void {
  const oldest = Date.now() - MAX_AGE_MS;
  for (const name of readdirSync(cache)) {
    const path = join(cache, name);
    if (lstatSync(path).mtimeMs < oldest) rmSync(path, { recursive: true, force: true });
  }
}
