/**
 * `npm start` = `node --import tsx local/cli.ts [--assembly DIR] [--data .local/dynamodb] [--fresh] [--in-memory]
 *   [--port-dynamodb N] [--port-sqs N] [--port-eventbridge N] [--port-api NameOrLogicalId=N ...]
 *   [--no-transaction-conflicts] [--trace]`
 *
 * Synthesizes the app into `.local/cdk.out` (reused when no source changed; `--assembly DIR` uses an
 * existing assembly instead), brings it up locally, prints the endpoints and writes
 * `.local/endpoints.json`, and stops everything cleanly on Ctrl-C (SIGINT) or SIGTERM.
 * SIGHUP re-synthesizes and reloads without losing table data or queued messages.
 * A crash (an error nothing caught) stops everything the same way and exits 1: DynamoDB Local (the one
 * child process; the SQS server runs inside this process) is stopped and `.local/endpoints.json` removed.
 * Only a SIGKILL skips that; the next start then removes the stale file and stops the DynamoDB Local left
 * on the data folder (found by its pid file), or refuses naming the live run to stop.
 * One process, not the `tsx` CLI: that wrapper runs the script in a child, force-kills it when the
 * child does not acknowledge a relayed SIGTERM within 30 ms (likely on a busy machine), and does not
 * relay SIGHUP at all, so `kill <pid>` skipped the clean stop and `kill -HUP <pid>` killed the wrapper.
 */
import { readFileSync, rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startCatalogServer, type CatalogServer } from './catalogServer.js';
import { assertJava } from './dynamodb-local.js';
import { clearStaleEndpointsFile, DEFAULT_ENDPOINTS_FILE, serviceUrls, writeEndpointsFile, type EndpointsFile } from './endpointsFile.js';
import { LOCAL_SCHEDULE_SECONDS_PER_MINUTE, synthLocalAssembly } from './localAssembly.js';
import { startLocalRuntime, type LocalRuntime } from './runtime.js';
import { formatTrace } from './trace.js';

const { values } = parseArgs({
  options: {
    assembly: { type: 'string' },
    data: { type: 'string', default: '.local/dynamodb' },
    'in-memory': { type: 'boolean', default: false },
    fresh: { type: 'boolean', default: false },
    'port-dynamodb': { type: 'string' },
    'port-sqs': { type: 'string' },
    'port-eventbridge': { type: 'string' },
    'port-api': { type: 'string', multiple: true },
    'no-transaction-conflicts': { type: 'boolean', default: false },
    // Every message's path on stderr (events put, messages sent, each mapping's batches): see local/README.md.
    trace: { type: 'boolean', default: false },
  },
});

const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
const apis = Object.fromEntries((values['port-api'] ?? []).map((pair) => {
  const [name, port] = pair.split('=');
  return [name!, Number(port)];
}));


const prepareAssembly = (): string => {
  if (values.assembly) return values.assembly;
  const started = Date.now();
  const { outdir, synthesized } = synthLocalAssembly();
  process.stdout.write(synthesized ? `Synthesized the app into ${outdir} in ${Date.now() - started} ms\n` : `Reusing ${outdir} (no source changed)\n`);
  return outdir;
};

/** Removes the endpoints file if it is still the one this run wrote (another run may have rewritten it). */
let written: string | undefined;
const removeEndpointsFile = () => {
  try {
    if (written !== undefined && readFileSync(DEFAULT_ENDPOINTS_FILE, 'utf8') === written) rmSync(DEFAULT_ENDPOINTS_FILE);
  } catch {
    // already gone
  }
};
// Last resort on any exit (process.exit, a crash): 'exit' listeners run synchronously.
process.on('exit', removeEndpointsFile);

let runtime: LocalRuntime | undefined;
let catalog: CatalogServer | undefined;
let stopping = false;
/** Stops everything once; a stop that hangs is cut after 20 s (DynamoDB Local is killed on exit anyway). */
const shutdown = async (reason: string, code: number) => {
  if (stopping) return;
  stopping = true;
  process.stdout.write(`\n${reason}: stopping the local runtime...\n`);
  const deadline = setTimeout(() => {
    process.stderr.write('[local] the stop took over 20 s; exiting anyway\n');
    process.exit(code || 1);
  }, 20_000);
  deadline.unref();
  await Promise.all([
    runtime?.stop().catch((error: Error) => process.stderr.write(`[local] stop failed: ${error.message}\n`)),
    catalog?.close(),
  ]);
  removeEndpointsFile();
  process.exit(code);
};
const crash = (what: string) => (error: unknown) => {
  const err = error instanceof Error ? error : new Error(String(error));
  process.stderr.write(`[local] ${what}: ${err.stack ?? err.message}\n`);
  void shutdown(`crash (${what})`, 1);
};
process.on('uncaughtException', crash('uncaught exception'));
process.on('unhandledRejection', crash('unhandled promise rejection'));
process.on('SIGINT', () => void shutdown('SIGINT', 0));
process.on('SIGTERM', () => void shutdown('SIGTERM', 0));
// Registered before the start: SIGHUP's default action would end the process without its cleanup.
process.on('SIGHUP', () => {
  const running = runtime;
  if (!running || stopping) return;
  Promise.resolve()
    .then(() => running.reload(prepareAssembly()))
    .then(() => process.stdout.write('[local] reloaded\n'))
    .catch((error: Error) => process.stderr.write(`[local] reload failed: ${error.message}\n`));
});

try {
  assertJava();
  const cleared = clearStaleEndpointsFile(DEFAULT_ENDPOINTS_FILE);
  if (cleared) process.stdout.write(`[local] ${cleared}\n`);
  const started = Date.now();
  const assemblyDir = prepareAssembly();
  runtime = await startLocalRuntime({
    assemblyDir,
    dataDir: values['in-memory'] ? undefined : values.data,
    fresh: values.fresh,
    ports: { dynamodb: num(values['port-dynamodb']), sqs: num(values['port-sqs']), eventbridge: num(values['port-eventbridge']), apis },
    schedules: { secondsPerMinute: LOCAL_SCHEDULE_SECONDS_PER_MINUTE },
    transactionConflicts: !values['no-transaction-conflicts'],
    trace: values.trace ? (step) => process.stderr.write(`[trace] ${formatTrace(step)}\n`) : undefined,
  });
  const running = runtime;
  catalog = await startCatalogServer();
  // The stage of the assembly: the default one (`npm start` synthesizes with cdk.json's context, which sets none).
  const urls = serviceUrls(running.endpoints);
  // The local servers too: `npm run dlq` finds the SQS server there; the pid tells a later start this file is live.
  const endpointsFile: EndpointsFile = { ...urls, local: { ...running.services, assembly: assemblyDir }, pid: process.pid };
  writeEndpointsFile(DEFAULT_ENDPOINTS_FILE, endpointsFile);
  written = readFileSync(DEFAULT_ENDPOINTS_FILE, 'utf8');
  const lines = [
    `Local runtime is up in ${((Date.now() - started) / 1000).toFixed(1)} s.`,
    ...Object.entries(urls).map(([service, url]) => `  ${service.padEnd(12)} ${url}`),
    '  (written to .local/endpoints.json)',
    `  DynamoDB     ${running.services.dynamodb}   (AWS_ENDPOINT_URL_DYNAMODB)`,
    running.transactionConflicts
      ? `  DynamoDB as the functions see it: ${running.functionServices.dynamodb}   (transaction conflicts emulated; --no-transaction-conflicts turns it off)`
      : '  Transaction conflicts are NOT emulated (--no-transaction-conflicts): DynamoDB Local runs overlapping transactions one after another',
    `  SQS          ${running.services.sqs}   (AWS_ENDPOINT_URL_SQS)`,
    `  EventBridge  ${running.services.eventbridge}   (AWS_ENDPOINT_URL_EVENTBRIDGE)`,
    `  Catalog      ${catalog.url}   (docs/: events, routes, migrations; \`npm run docs\` regenerates)`,
    ...[...new Map(Object.entries(running.endpoints).reverse().map(([name, url]) => [url, name])).entries()].map(([url, name]) => `  API ${name.padEnd(20)} ${url}`),
    `Ctrl-C (or \`kill ${process.pid}\`) stops; \`kill -HUP ${process.pid}\` reloads the assembly after a new synth.`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);

} catch (error) {
  process.stderr.write(`[local] cannot start: ${(error as Error).message}\n`);
  process.exit(1);
}
