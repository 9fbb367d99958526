/**
 * `npx tsx local/cli.ts [--assembly cdk.out] [--data .local/dynamodb] [--fresh] [--in-memory]
 *   [--port-dynamodb N] [--port-sqs N] [--port-eventbridge N] [--port-api NameOrLogicalId=N ...]`
 *
 * Brings the synthesized app up locally (run `cdk synth` first), prints the endpoints, and stops
 * everything cleanly on Ctrl-C (SIGINT) or SIGTERM. Send SIGHUP to reload the assembly after a new synth.
 */
import { parseArgs } from 'node:util';
import { startLocalRuntime } from './runtime.js';

const { values } = parseArgs({
  options: {
    assembly: { type: 'string', default: 'cdk.out' },
    data: { type: 'string', default: '.local/dynamodb' },
    'in-memory': { type: 'boolean', default: false },
    fresh: { type: 'boolean', default: false },
    'port-dynamodb': { type: 'string' },
    'port-sqs': { type: 'string' },
    'port-eventbridge': { type: 'string' },
    'port-api': { type: 'string', multiple: true },
  },
});

const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
const apis = Object.fromEntries((values['port-api'] ?? []).map((pair) => {
  const [name, port] = pair.split('=');
  return [name!, Number(port)];
}));

try {
  const runtime = await startLocalRuntime({
    assemblyDir: values.assembly!,
    dataDir: values['in-memory'] ? undefined : values.data,
    fresh: values.fresh,
    ports: { dynamodb: num(values['port-dynamodb']), sqs: num(values['port-sqs']), eventbridge: num(values['port-eventbridge']), apis },
  });
  const lines = [
    'Local runtime is up.',
    `  DynamoDB     ${runtime.services.dynamodb}   (AWS_ENDPOINT_URL_DYNAMODB)`,
    `  SQS          ${runtime.services.sqs}   (AWS_ENDPOINT_URL_SQS)`,
    `  EventBridge  ${runtime.services.eventbridge}   (AWS_ENDPOINT_URL_EVENTBRIDGE)`,
    ...[...new Map(Object.entries(runtime.endpoints).reverse().map(([name, url]) => [url, name])).entries()].map(([url, name]) => `  API ${name.padEnd(20)} ${url}`),
    'Ctrl-C stops; `kill -HUP <pid>` reloads the assembly after a new synth.',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping the local runtime...\n`);
    await runtime.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGHUP', () => {
    runtime.reload().catch((error: Error) => process.stderr.write(`[local] reload failed: ${error.message}\n`));
  });
} catch (error) {
  process.stderr.write(`[local] cannot start: ${(error as Error).message}\n`);
  process.exit(1);
}
