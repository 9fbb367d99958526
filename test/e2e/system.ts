/**
 * The system under test for the end-to-end suite, driven only through its HTTP APIs.
 *
 * - Default: the offline runtime, booted once for the suite from the real app synthesized into
 *   `.local/e2e-cdk.out` (reused while no source changed) with the local short delays, on the
 *   DynamoDB Local and SQS server of the vitest global setup.
 * - `E2E_ENDPOINTS=<file>` (JSON `{hiring, tasks, bonus}`): a deployed stack (LocalStack or AWS);
 *   nothing is started, requests are SigV4-signed when the host is not loopback.
 */
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { inject } from 'vitest';
import { readEndpointsFile, SERVICES, type EndpointsFile } from '../../local/endpointsFile.js';
import { synthLocalAssembly } from '../../local/localAssembly.js';
import { waitFor } from '../../local/net.js';
import { startLocalRuntime, type LocalRuntime } from '../../local/runtime.js';
import { ApiClient } from '../../scripts/e2e/client.js';

export const E2E_ASSEMBLY_DIR = '.local/e2e-cdk.out';

export interface SystemUnderTest {
  readonly mode: 'local' | 'remote';
  readonly endpoints: Pick<EndpointsFile, 'hiring' | 'tasks' | 'bonus'>;
  readonly api: ApiClient;
  /** How long eventual outcomes are awaited (parking delays are seconds locally, longer deployed). */
  readonly eventualTimeoutMs: number;
  /** Runtime and function log lines (local mode), for failure messages. */
  readonly logs: string[];
  readonly timings: { synthMs?: number; synthesized?: boolean; bootMs?: number };
  stop(): Promise<void>;
}

/**
 * Synthesizes (when stale) and hands the assembly to `use` under a lock folder: two test runs at once
 * (several engineers, one tree) must not write the same assembly concurrently, nor read its templates
 * while another run rewrites them. A lock older than 3 minutes is a crashed run's and is broken.
 */
export async function withE2eAssembly<T>(use: (synth: { outdir: string; synthesized: boolean; ms: number }) => Promise<T>): Promise<T> {
  const lock = resolve(`${E2E_ASSEMBLY_DIR}.lock`);
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
    const { outdir, synthesized } = synthLocalAssembly({ outdir: E2E_ASSEMBLY_DIR });
    return await use({ outdir, synthesized, ms: Date.now() - started });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export async function startSystem(): Promise<SystemUnderTest> {
  const file = process.env.E2E_ENDPOINTS;
  if (file) {
    const endpoints = readEndpointsFile(file);
    return {
      mode: 'remote',
      endpoints,
      api: new ApiClient(endpoints),
      eventualTimeoutMs: Number(process.env.E2E_TIMEOUT_MS ?? 180_000),
      logs: [],
      timings: {},
      stop: async () => undefined,
    };
  }

  const logs: string[] = [];
  const keep = (line: string) => {
    logs.push(line);
    if (logs.length > 500) logs.shift();
  };
  let started = 0;
  // The runtime reads the templates while it starts (function code later, from content-addressed asset folders).
  const { synth, runtime } = await withE2eAssembly(async (synth) => {
    started = Date.now();
    const runtime: LocalRuntime = await startLocalRuntime({
      assemblyDir: synth.outdir,
      services: { dynamodbEndpoint: inject('dynamodbEndpoint'), sqsEndpoint: inject('sqsEndpoint') },
      log: (m) => keep(`[local] ${m}`),
      functionLog: (fn, line) => keep(`${fn}: ${line}`),
    });
    return { synth, runtime };
  });
  const endpoints = {
    hiring: runtime.endpoints['hiring-events-hiring']!,
    tasks: runtime.endpoints['hiring-events-tasks']!,
    bonus: runtime.endpoints['hiring-events-bonus']!,
  };
  for (const service of SERVICES) if (!endpoints[service]) throw new Error(`the assembly has no RestApi hiring-events-${service}`);
  return {
    mode: 'local',
    endpoints,
    api: new ApiClient(endpoints),
    eventualTimeoutMs: Number(process.env.E2E_TIMEOUT_MS ?? 30_000),
    logs,
    timings: { synthMs: synth.ms, synthesized: synth.synthesized, bootMs: Date.now() - started },
    stop: () => runtime.stop(),
  };
}
