import { mkdirSync, rmSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { synthLocalAssembly } from '../../local/localAssembly.js';
import { waitFor } from '../../local/net.js';

/** The app synthesized for the suites that boot the offline runtime (end-to-end, chaos): one synth per run. */
export const TEST_ASSEMBLY_DIR = '.local/test-cdk.out';

/**
 * Synthesizes (when stale) and hands the assembly to `use` under a lock folder: two test runs at once
 * (several engineers, one tree) must not write the same assembly concurrently, nor read its templates
 * while another run rewrites them. A lock older than 3 minutes is a crashed run's and is broken.
 */
export async function withTestAssembly<T>(use: (synth: { outdir: string; synthesized: boolean; ms: number }) => Promise<T>): Promise<T> {
  const lock = resolve(`${TEST_ASSEMBLY_DIR}.lock`);
  mkdirSync(resolve('.local'), { recursive: true });
  await waitFor(
    () => {
      try {
        mkdirSync(lock);
        return true;
      } catch {
        if (Date.now() - statSync(lock, { throwIfNoEntry: false })!.mtimeMs > 180_000) rmSync(lock, { recursive: true, force: true });
        return false;
      }
    },
    { timeoutMs: 180_000, intervalMs: 200, what: `the synth lock ${lock}` },
  );
  try {
    const started = Date.now();
    const { outdir, synthesized } = synthLocalAssembly({ outdir: TEST_ASSEMBLY_DIR });
    return await use({ outdir, synthesized, ms: Date.now() - started });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

