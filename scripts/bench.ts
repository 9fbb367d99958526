/**
 * `npm run bench [-- --assembly DIR] [--runs 10] [--solutions 10]`: figures, not tests.
 *
 * (a) per project Lambda of the synthesized assembly (`.local/cdk.out`, synthesized like `npm start`
 *     when stale): the `ServiceFunction`s built from `lambdas/**`, told by the `POWERTOOLS_SERVICE_NAME`
 *     they all carry. CDK's own functions (the custom-resource provider framework behind the
 *     migration step guard) are left out: they are not ours to budget, and they need
 *     `@aws-sdk/client-lambda`, which only the Lambda runtime provides. Per function: the bundle size
 *     as shipped (minified, `@aws-sdk/*` external unless `bundleAwsSdk`) and the module init time (require of the handler
 *     module, `@aws-sdk` loads included), median over `--runs` cold loads, each in a fresh Node
 *     process with the function's environment (local dummy endpoints and credentials).
 *     Budget 250 KB / 150 ms, judged on the init's CPU time (user + system of that process during the
 *     require): less sensitive than wall time to other processes on a shared machine, not immune
 *     (caches, frequency): figures at a load of 10 on 2 cores run ~20-40% above those at 4, so the
 *     load average is printed. Wall time is printed beside it. Over-budget rows are marked.
 * (a2) what two choices would cost or save: each service's HTTP and event entry points bundled by
 *     `ServiceFunction` (the same esbuild options) as they are, with the Powertools Tracer's
 *     `captureLambdaHandler` added to their middy handler, and with the AWS SDK bundled
 *     (`bundleAwsSdk`), measured the same way. Bundling the SDK moves no work to the first
 *     invocation: it loads the same SDK modules at init, as less code.
 * (b) offline runtime boot: from `startLocalRuntime` (in memory, its own DynamoDB Local and SQS server)
 *     to the three APIs answering a request (first answers include the HTTP functions' cold starts).
 * (c) solve -> credited: `POST /tasks/{uid}/solutions` until the manager's balance shows the credit,
 *     median over `--solutions` solutions (tasks rated and assigned beforehand).
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { App, Stack } from 'aws-cdk-lib';
import { ServiceFunction } from '../lib/constructs/ServiceFunction.js';
import { CloudAssembly, constructId, Resolver } from '../local/assembly.js';
import { serviceUrls } from '../local/endpointsFile.js';
import { functionDefinitions, type FunctionDefinition } from '../local/lambda-runner.js';
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
const execFileAsync = promisify(execFile);
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

/** Loads one handler module in a fresh Node process (a cold start) and prints its init times as JSON. */
const INIT_SCRIPT = `
const { performance } = require('node:perf_hooks');
const [file, exportName] = process.argv.slice(1);
const cpu0 = process.cpuUsage();
const started = performance.now();
const mod = require(file);
const ms = performance.now() - started;
const cpu = process.cpuUsage(cpu0);
process.stdout.write(JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000, exported: typeof mod[exportName] === 'function' }));
`;

interface InitTime {
  /** Wall time of the module load. */
  readonly ms: number;
  /** CPU time (user + system) of the process during the load. */
  readonly cpuMs: number;
}

async function coldInit(file: string, exportName: string, env: Record<string, string>): Promise<InitTime> {
  const { stdout } = await execFileAsync(process.execPath, ['-e', INIT_SCRIPT, file, exportName], { env: { ...env, NODE_PATH: resolve('node_modules') } });
  const m = JSON.parse(stdout) as InitTime & { exported: boolean };
  if (!m.exported) throw new Error(`${file} does not export ${exportName}`);
  return { ms: m.ms, cpuMs: m.cpuMs };
}

async function referenceInit(): Promise<InitTime> {
  const file = createRequire(import.meta.url).resolve('@aws-sdk/client-dynamodb');
  const times: InitTime[] = [];
  for (let i = 0; i < RUNS; i += 1) times.push(await coldInit(file, 'DynamoDBClient', {}));
  return { ms: median(times.map((t) => t.ms)), cpuMs: median(times.map((t) => t.cpuMs)) };
}

interface Row {
  readonly name: string;
  readonly kb: number;
  readonly initMs: number;
  readonly cpuMs: number;
  readonly over: string[];
}

const DUMMY_ENDPOINTS = { dynamodb: 'http://127.0.0.1:1', sqs: 'http://127.0.0.1:1', eventbridge: 'http://127.0.0.1:1' };

/** The functions of an assembly built from `lambdas/**`: `ServiceFunction` sets `POWERTOOLS_SERVICE_NAME` on each. */
function projectFunctions(assemblyDir: string): { functions: FunctionDefinition[]; skipped: number } {
  const assembly = CloudAssembly.load(assemblyDir);
  const all = functionDefinitions(assembly, new Resolver(assembly, { sqsEndpoint: DUMMY_ENDPOINTS.sqs }), DUMMY_ENDPOINTS);
  const functions = all.filter((fn) => fn.env.POWERTOOLS_SERVICE_NAME);
  return { functions, skipped: all.length - functions.length };
}

async function measure(fn: FunctionDefinition, name: string): Promise<Row> {
  const dot = fn.handler.lastIndexOf('.');
  const base = join(fn.codeDir, fn.handler.slice(0, dot));
  const file = ['.js', '.cjs', '.mjs'].map((ext) => base + ext).find((f) => existsSync(f));
  if (!file) throw new Error(`${fn.key}: no handler module ${base}.js`);
  const kb = statSync(file).size / 1024;
  // As in Lambda: tracing on (the offline runtime turns it off for want of an X-Ray daemon), so a
  // Tracer's init does what it does in Lambda (it patches the http modules at load).
  const { POWERTOOLS_TRACE_ENABLED: _offline, ...lambdaEnv } = fn.env;
  const env = { ...lambdaEnv, POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  const times: InitTime[] = [];
  for (let i = 0; i < RUNS; i += 1) times.push(await coldInit(file, fn.handler.slice(dot + 1), env));
  const initMs = median(times.map((t) => t.ms));
  const cpuMs = median(times.map((t) => t.cpuMs));
  const over = [kb > BUDGET_KB ? 'size' : '', cpuMs > BUDGET_INIT_MS ? 'init' : ''].filter(Boolean);
  return { name, kb, initMs, cpuMs, over };
}

async function benchFunctions(assemblyDir: string) {
  const { functions, skipped } = projectFunctions(assemblyDir);
  const rows: Row[] = [];
  for (const fn of functions) rows.push(await measure(fn, `${fn.key.split('/')[0]}/${constructId(fn.key.split('/')[1]!)}`));
  return { rows, skipped };
}

const SERVICES = ['hiring', 'tasks', 'bonus'] as const;
const ENTRY_KINDS = { Http: 'api', Events: 'events' } as const;

/**
 * Each service's entry points bundled three times by `ServiceFunction` in a throwaway app: as they
 * are; through a module that adds the Powertools Tracer's middleware to the same middy handler
 * (appended after logger and metrics, the order Powertools documents); and with the SDK bundled.
 */
async function benchVariants(): Promise<Row[]> {
  const dir = resolve('.local/bench-variants');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const app = new App({ outdir: join(dir, 'cdk.out') });
  const stack = new Stack(app, 'BenchVariants');
  for (const service of SERVICES) {
    for (const [kind, file] of Object.entries(ENTRY_KINDS)) {
      const entry = resolve(`lambdas/${service}/${file}.ts`);
      const withTracer = join(dir, `${service}${kind}WithTracer.ts`);
      writeFileSync(
        withTracer,
        [
          `import { Tracer } from '@aws-lambda-powertools/tracer';`,
          `import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';`,
          `import { handler as shipped } from '${relative(dir, entry).replace(/\.ts$/, '.js')}';`,
          `export const handler = shipped.use(captureLambdaHandler(new Tracer({ serviceName: '${service}' })));`,
          '',
        ].join('\n'),
      );
      new ServiceFunction(stack, `${service}${kind}`, { service, entry });
      new ServiceFunction(stack, `${service}${kind}WithTracer`, { service, entry: withTracer });
      new ServiceFunction(stack, `${service}${kind}SdkBundled`, { service, entry, bundleAwsSdk: true });
    }
  }
  const outdir = app.synth().directory;
  const rows: Row[] = [];
  for (const fn of projectFunctions(outdir).functions) rows.push(await measure(fn, constructId(fn.key.split('/')[1]!)));
  return rows;
}

function printRows(rows: Row[]) {
  const width = Math.max(...rows.map((r) => r.name.length), 8);
  out(`${'function'.padEnd(width)}  ${'bundle KB'.padStart(9)}  ${'init cpu ms'.padStart(11)}  ${'init wall ms'.padStart(12)}  budget ${BUDGET_KB} KB / ${BUDGET_INIT_MS} ms cpu`);
  for (const r of rows) {
    out(
      `${r.name.padEnd(width)}  ${r.kb.toFixed(1).padStart(9)}  ${r.cpuMs.toFixed(1).padStart(11)}  ${r.initMs.toFixed(1).padStart(12)}  ${r.over.length ? `OVER (${r.over.join(', ')})` : 'ok'}`,
    );
  }
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

  out(`load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on this machine's cores`);
  // Init times are this machine's, not Lambda's: the same bundle measures twice as slow on a slower
  // host. What every function pays, measured the same way, makes figures from two machines comparable.
  const reference = await referenceInit();
  out(`machine reference: requiring @aws-sdk/client-dynamodb alone in a fresh process, median of ${RUNS}: ${reference.cpuMs.toFixed(1)} ms cpu, ${reference.ms.toFixed(1)} ms wall\n`);
  out(`(a) the project's Lambdas (ServiceFunction, lambdas/**): minified bundle size (@aws-sdk external unless bundleAwsSdk) and module init, median of ${RUNS} cold loads`);
  const { rows, skipped } = await benchFunctions(assemblyDir);
  printRows(rows);
  const overs = rows.filter((r) => r.over.length).length;
  out(`${rows.length} functions, ${overs} over budget (${skipped} CDK-provided functions not measured: the provider framework of the migration step guard)\n`);

  out(`(a2) each service's entry points as shipped, with the Powertools Tracer (captureLambdaHandler), and with the AWS SDK bundled (bundleAwsSdk), median of ${RUNS} cold loads`);
  printRows(await benchVariants());
  out('');

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
