/**
 * `npm run chaos -- [--seed N] [--events 1000] [--concurrency 16] [--stories 12] [--log FILE]
 *   [--no-lost-responses] [--no-transaction-conflicts]`
 * `npm run chaos:hot-manager -- [--solutions 2000] [--faults] ...` (= `npm run chaos -- --hot-manager`)
 *
 * The fault-injection run on the offline runtime: synthesizes the app into
 * `.local/chaos/cdk.out` (reused when no source changed), brings it up in memory with every fault
 * hook installed (duplicated/reordered/delayed SQS deliveries, crashes mid-batch, AWS-shaped
 * throttling/5xx/resets/lost answers on the functions' DynamoDB, SQS and EventBridge calls,
 * PutEvents partial failures, API faults), drives the seeded business workload over HTTP, waits
 * until the system is quiet and checks the money invariant. Exits 1 on a broken invariant or an
 * unexplained DLQ message. DynamoDB's transaction conflicts are emulated (the runtime's default).
 *
 * `--hot-manager`: every solution credits ONE manager (≥ 2,000 TaskSolved by default), the bonus
 * consumer's pollers at their full concurrency, conflicts on; chaos faults off unless `--faults`
 * (the run is about the conflicts). It also requires every DLQ to stay empty.
 */
import { parseArgs } from 'node:util';
import { assertJava } from '../local/dynamodb-local.js';
import { formatReport, runChaos } from '../local/faults/run.js';
import { synthLocalAssembly } from '../local/localAssembly.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '7' },
    events: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '16' },
    stories: { type: 'string', default: '12' },
    log: { type: 'string' },
    'no-lost-responses': { type: 'boolean', default: false },
    'no-transaction-conflicts': { type: 'boolean', default: false },
    'hot-manager': { type: 'boolean', default: false },
    solutions: { type: 'string', default: '2000' },
    faults: { type: 'boolean' },
  },
});

const seed = Number(values.seed);
if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, got ${values.seed}`);
const hotManager = values['hot-manager'];
const logFile = values.log ?? `.local/chaos/${hotManager ? 'hot-manager' : 'run'}-${seed}.log`;

try {
  assertJava();
  const t0 = Date.now();
  const { outdir, synthesized } = synthLocalAssembly({ outdir: '.local/chaos/cdk.out' });
  process.stdout.write(`${synthesized ? 'synthesized' : 'reusing'} ${outdir} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
  const report = await runChaos({
    assemblyDir: outdir,
    seed,
    workload: hotManager ? 'hot-manager' : 'stories',
    solutions: Number(values.solutions),
    faults: values.faults ?? !hotManager,
    transactionConflicts: !values['no-transaction-conflicts'],
    events: Number(values.events),
    concurrency: Number(values.concurrency),
    stories: Number(values.stories),
    rates: values['no-lost-responses'] ? { lostResponses: false } : {},
    logFile,
    progress: (line) => process.stdout.write(`[chaos +${((Date.now() - t0) / 1000).toFixed(0)} s] ${line}\n`),
  });
  process.stdout.write(`${formatReport(report)}\n  (runtime and function logs: ${logFile})\n`);
  process.exit(report.ok ? 0 : 1);
} catch (error) {
  process.stderr.write(`[chaos] run failed: ${(error as Error).stack ?? error}\n`);
  process.exit(2);
}
