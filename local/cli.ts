/**
 * `npm start` = `node --import tsx local/cli.ts [--assembly DIR] [--data .local/dynamodb] [--fresh] [--in-memory]
 *   [--port-dynamodb N] [--port-sqs N] [--port-eventbridge N] [--port-api NameOrLogicalId=N ...]
 *   [--no-transaction-conflicts]`
 *
 * Synthesizes the app into `.local/cdk.out` (reused when no source changed; `--assembly DIR` uses an
 * existing assembly instead), brings it up locally, prints the endpoints and writes
 * `.local/endpoints.json`, and stops everything cleanly on Ctrl-C (SIGINT) or SIGTERM.
 * SIGHUP re-synthesizes and reloads without losing table data or queued messages.
 * One process, not the `tsx` CLI: that wrapper runs the script in a child, force-kills it when the
 * child does not acknowledge a relayed SIGTERM within 30 ms (likely on a busy machine), and does not
 * relay SIGHUP at all, so `kill <pid>` skipped the clean stop and `kill -HUP <pid>` killed the wrapper.
 */
import { readFileSync, rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { assertJava } from './dynamodb-local.js';
import { DEFAULT_ENDPOINTS_FILE, writeEndpointsFile, type EndpointsFile } from './endpointsFile.js';
import { synthLocalAssembly } from './localAssembly.js';
import { startLocalRuntime } from './runtime.js';

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
  },
});

const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
const apis = Object.fromEntries((values['port-api'] ?? []).map((pair) => {
  const [name, port] = pair.split('=');
  return [name!, Number(port)];
}));

const SERVICE_APIS = { hiring: 'hiring-events-hiring', tasks: 'hiring-events-tasks', bonus: 'hiring-events-bonus' } as const;

const prepareAssembly = (): string => {
  if (values.assembly) return values.assembly;
  const started = Date.now();
  const { outdir, synthesized } = synthLocalAssembly();
  process.stdout.write(synthesized ? `Synthesized the app into ${outdir} in ${Date.now() - started} ms\n` : `Reusing ${outdir} (no source changed)\n`);
  return outdir;
};

try {
  assertJava();
  const started = Date.now();
  const runtime = await startLocalRuntime({
    assemblyDir: prepareAssembly(),
    dataDir: values['in-memory'] ? undefined : values.data,
    fresh: values.fresh,
    ports: { dynamodb: num(values['port-dynamodb']), sqs: num(values['port-sqs']), eventbridge: num(values['port-eventbridge']), apis },
    transactionConflicts: !values['no-transaction-conflicts'],
  });
  const serviceUrls = Object.fromEntries(Object.entries(SERVICE_APIS).map(([service, api]) => [service, runtime.endpoints[api]]));
  // The local servers too: `npm run dlq` finds the SQS server there.
  const endpointsFile: EndpointsFile = { ...(serviceUrls as Pick<EndpointsFile, 'hiring' | 'tasks' | 'bonus'>), local: { ...runtime.services } };
  writeEndpointsFile(DEFAULT_ENDPOINTS_FILE, endpointsFile);
  const written = readFileSync(DEFAULT_ENDPOINTS_FILE, 'utf8');
  const lines = [
    `Local runtime is up in ${((Date.now() - started) / 1000).toFixed(1)} s.`,
    ...Object.entries(serviceUrls).map(([service, url]) => `  ${service.padEnd(12)} ${url}`),
    '  (written to .local/endpoints.json)',
    `  DynamoDB     ${runtime.services.dynamodb}   (AWS_ENDPOINT_URL_DYNAMODB)`,
    runtime.transactionConflicts
      ? `  DynamoDB as the functions see it: ${runtime.functionServices.dynamodb}   (transaction conflicts emulated; --no-transaction-conflicts turns it off)`
      : '  Transaction conflicts are NOT emulated (--no-transaction-conflicts): DynamoDB Local runs overlapping transactions one after another',
    `  SQS          ${runtime.services.sqs}   (AWS_ENDPOINT_URL_SQS)`,
    `  EventBridge  ${runtime.services.eventbridge}   (AWS_ENDPOINT_URL_EVENTBRIDGE)`,
    ...[...new Map(Object.entries(runtime.endpoints).reverse().map(([name, url]) => [url, name])).entries()].map(([url, name]) => `  API ${name.padEnd(20)} ${url}`),
    `Ctrl-C (or \`kill ${process.pid}\`) stops; \`kill -HUP ${process.pid}\` reloads the assembly after a new synth.`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping the local runtime...\n`);
    await runtime.stop();
    // A stale file would send the demo and the DLQ tool to dead ports; keep it if another run rewrote it.
    try {
      if (readFileSync(DEFAULT_ENDPOINTS_FILE, 'utf8') === written) rmSync(DEFAULT_ENDPOINTS_FILE);
    } catch {
      // already gone
    }
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGHUP', () => {
    Promise.resolve()
      .then(() => runtime.reload(prepareAssembly()))
      .then(() => process.stdout.write('[local] reloaded\n'))
      .catch((error: Error) => process.stderr.write(`[local] reload failed: ${error.message}\n`));
  });
} catch (error) {
  process.stderr.write(`[local] cannot start: ${(error as Error).message}\n`);
  process.exit(1);
}
