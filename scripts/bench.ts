/**
 * `npm run bench [-- --assembly DIR] [--runs 10] [--solutions 10]`: figures, not tests.
 *
 * (a) per project Lambda of the synthesized assembly (`.local/cdk.out`, synthesized like `npm start`
 *     when stale) — the `ServiceFunction`s built from `lambdas/**`, told by the `POWERTOOLS_SERVICE_NAME`
 *     they all carry; CDK's own functions (the custom-resource provider framework behind the
 *     migration step guard) are left out: they are not ours to budget, and they need
 *     `@aws-sdk/client-lambda`, which only the Lambda runtime provides: the minified bundle size as shipped (the assets are minified, `@aws-sdk/*` external) and
 *     the module init time (require of the handler module, `@aws-sdk` loads included), median over
 *     `--runs` cold loads, each in a fresh worker thread with the function's environment (local dummy
 *     endpoints and credentials). Budget 250 KB / 150 ms; over-budget rows are marked.
 * (b) offline runtime boot: from `startLocalRuntime` (in memory, its own DynamoDB Local and SQS server)
 *     to the three APIs answering a request (first answers include the HTTP functions' cold starts).
 * (c) solve -> credited: `POST /tasks/{uid}/solutions` until the manager's balance shows the credit,
 *     median over `--solutions` solutions (tasks rated and assigned beforehand).
 */
import { randomUUID } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { CloudAssembly, constructId, Resolver } from '../local/assembly.js';
import { serviceUrls } from '../local/endpointsFile.js';
import { functionDefinitions } from '../local/lambda-runner.js';
import { synthLocalAssembly, LOCAL_SCHEDULE_SECONDS_PER_MINUTE } from '../local/localAssembly.js';
import { waitFor } from '../local/net.js';
import { startLocalRuntime } from '../local/runtime.js';
import { ApiClient } from './e2e/client.js';
import { storySteps } from './e2e/steps.js';

const { values } = parseArgs({
  options: {
    assembly: { type: 'string' },
    runs: { type: 'string', default: '10' },
    solutions: { type: 'string', default: '10' },
    'skip-runtime': { type: 'boolean', default: false },
  },
});
const RUNS = Number(values.runs);
const SOLUTIONS = Number(values.solutions);
const BUDGET_KB = 250;
const BUDGET_INIT_MS = 150;
const out = (line = '') => process.stdout.write(`${line}\n`);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};

const INIT_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Module = require('node:module');
const { performance } = require('node:perf_hooks');
process.env.NODE_PATH = workerData.nodePath; Module._initPaths();
const started = performance.now();
const mod = require(workerData.file);
const ms = performance.now() - started;
parentPort.postMessage({ ms, exported: typeof mod[workerData.exportName] === 'function' });
`;

function coldInit(file: string, exportName: string, env: Record<string, string>): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const worker = new Worker(INIT_WORKER, { eval: true, env, workerData: { file, exportName, nodePath: resolve('node_modules') }, stdout: true, stderr: true });
    worker.once('message', (m: { ms: number; exported: boolean }) => {
      void worker.terminate();
      if (!m.exported) reject(new Error(`${file} does not export ${exportName}`));
      else resolvePromise(m.ms);
    });
    worker.once('error', reject);
  });
}

async function benchFunctions(assemblyDir: string) {
  const assembly = CloudAssembly.load(assemblyDir);
  const dummy = { dynamodb: 'http://127.0.0.1:1', sqs: 'http://127.0.0.1:1', eventbridge: 'http://127.0.0.1:1' };
  const all = functionDefinitions(assembly, new Resolver(assembly, { sqsEndpoint: dummy.sqs }), dummy);
  // ServiceFunction sets POWERTOOLS_SERVICE_NAME on every function built from lambdas/**.
  const functions = all.filter((fn) => fn.env.POWERTOOLS_SERVICE_NAME);
  const rows: Array<{ name: string; kb: number; initMs: number; over: string[] }> = [];
  for (const fn of functions) {
    const dot = fn.handler.lastIndexOf('.');
    const base = join(fn.codeDir, fn.handler.slice(0, dot));
    const file = ['.js', '.cjs', '.mjs'].map((ext) => base + ext).find((f) => existsSync(f));
    if (!file) throw new Error(`${fn.key}: no handler module ${base}.js`);
    const kb = statSync(file).size / 1024;
    const times: number[] = [];
    const env = { ...fn.env, POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
    for (let i = 0; i < RUNS; i += 1) times.push(await coldInit(file, fn.handler.slice(dot + 1), env));
    const initMs = median(times);
    const over = [kb > BUDGET_KB ? 'size' : '', initMs > BUDGET_INIT_MS ? 'init' : ''].filter(Boolean);
    rows.push({ name: `${fn.key.split('/')[0]}/${constructId(fn.key.split('/')[1]!)}`, kb, initMs, over });
  }
  return { rows, skipped: all.length - functions.length };
}

async function benchRuntime(assemblyDir: string) {
  const started = performance.now();
  const runtime = await startLocalRuntime({ assemblyDir, schedules: { secondsPerMinute: LOCAL_SCHEDULE_SECONDS_PER_MINUTE }, log: () => undefined, functionLog: () => undefined });
  const listening = performance.now() - started;
  try {
    const endpoints = serviceUrls(runtime.endpoints);
    const api = new ApiClient(endpoints);
    // "Serving": each API answers a real route through its function (a 404 for an unknown uid).
    const probe = { hiring: `/candidates/${randomUUID()}`, tasks: `/tasks/${randomUUID()}`, bonus: `/managers/${randomUUID()}/balance` } as const;
    await Promise.all(
      (Object.keys(probe) as Array<keyof typeof probe>).map((service) =>
        waitFor(async () => (await api.request(service, 'GET', probe[service])).status === 404, { timeoutMs: 60_000, intervalMs: 20, what: `${service} serving` }),
      ),
    );
    const serving = performance.now() - started;

    const steps = storySteps(api, { timeoutMs: 60_000, intervalMs: 10 });
    const manager = await steps.createManager('Bench');
    const candidate = await steps.createCandidate('Bench');
    const tasks: string[] = [];
    for (let i = 0; i < SOLUTIONS; i += 1) {
      const task = await steps.createTask(manager, `Bench task ${i}`);
      await steps.assign(task, candidate);
      await steps.rate(task, 3);
      tasks.push(task);
    }
    await steps.awaitBalance(manager, () => true, 'bonus to know the manager');
    const latencies: number[] = [];
    for (const [i, task] of tasks.entries()) {
      const t0 = performance.now();
      await steps.solve(task, candidate);
      await steps.awaitBalance(manager, (b) => b.entries >= i + 1, `credit ${i + 1}`);
      latencies.push(performance.now() - t0);
    }
    return { listening, serving, latencies };
  } finally {
    await runtime.stop();
  }
}

async function main() {
  let assemblyDir = values.assembly;
  let synthNote = `assembly ${values.assembly}`;
  if (!assemblyDir) {
    const t0 = performance.now();
    const synth = synthLocalAssembly();
    assemblyDir = synth.outdir;
    synthNote = synth.synthesized ? `synthesized ${synth.outdir} in ${((performance.now() - t0) / 1000).toFixed(1)} s` : `reused ${synth.outdir}`;
  }
  out(`hiring-events bench (${synthNote}, node ${process.version})\n`);

  out(`(a) the project's Lambdas (ServiceFunction, lambdas/**): minified bundle size (@aws-sdk external) and module init, median of ${RUNS} cold loads`);
  const { rows, skipped } = await benchFunctions(assemblyDir);
  const width = Math.max(...rows.map((r) => r.name.length), 8);
  out(`${'function'.padEnd(width)}  ${'bundle KB'.padStart(9)}  ${'init ms'.padStart(8)}  budget ${BUDGET_KB} KB / ${BUDGET_INIT_MS} ms`);
  for (const r of rows) {
    out(`${r.name.padEnd(width)}  ${r.kb.toFixed(1).padStart(9)}  ${r.initMs.toFixed(1).padStart(8)}  ${r.over.length ? `OVER (${r.over.join(', ')})` : 'ok'}`);
  }
  const overs = rows.filter((r) => r.over.length).length;
  out(`${rows.length} functions, ${overs} over budget (${skipped} CDK-provided functions not measured)\n`);

  if (values['skip-runtime']) return;
  const { listening, serving, latencies } = await benchRuntime(assemblyDir);
  out('(b) offline runtime boot (in memory, own DynamoDB Local + SQS server)');
  out(`  start -> servers listening       ${(listening / 1000).toFixed(2)} s`);
  out(`  start -> all three APIs serving  ${(serving / 1000).toFixed(2)} s\n`);
  out(`(c) solve -> credited (POST solution until the balance shows it), ${latencies.length} solutions`);
  out(`  median ${median(latencies).toFixed(0)} ms   p90 ${percentile(latencies, 90).toFixed(0)} ms   min ${Math.min(...latencies).toFixed(0)} ms   max ${Math.max(...latencies).toFixed(0)} ms`);
  out(`  (${latencies.map((l) => l.toFixed(0)).join(', ')})`);
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    process.stderr.write(`✗ bench failed: ${error.stack ?? error.message}\n`);
    process.exit(1);
  },
);
