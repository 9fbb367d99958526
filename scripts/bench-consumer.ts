/**
 * `npm run bench:consumer [-- --rounds 3] [--solutions 3000] [--warmup 1500] [--warmup-passes 2] [--skip-end-to-end]`:
 * figures, not tests.
 *
 * (a) Bonus's consumer (the messaging kit's batch handler: one BatchGetItem and one
 *     TransactWriteItems per SQS batch) against a Powertools batch + idempotency consumer doing the
 *     same reads and writes (`scripts/bench/powertoolsPeer.ts`), on one DynamoDB Local this script
 *     starts. Workload (the issue's, the defaults): 3,000 TaskSolved, 20% duplicate deliveries
 *     (half of them in their original's batch), batches of 10, 4 environments (batches in flight),
 *     the SQS event source simulated in process (failed records redelivered). Variants alternate,
 *     each round on fresh tables; medians over the rounds. Money is checked after every run.
 *     Besides records/s: the CPU a record costs in this Node process and in DynamoDB Local's JVM
 *     (steadier than records/s on a machine shared with other work), the mean round trip of each
 *     DynamoDB command, the load average.
 * (b) What ONE TaskSolved costs end to end on the offline runtime (`scripts/bench/endToEndCost.ts`).
 *
 * Two properties of DynamoDB Local that would otherwise decide the figures instead of the consumers:
 * - Tables WITHOUT their stream: on every write to a table with a stream, DynamoDB Local walks the
 *   stream records of every table created before it in the JVM (see `createServiceTable`), so each
 *   round's writes cost more than the last (measured: a 20-item transaction 11 ms on the first
 *   table with a stream, 540 ms on the next one, made after 16,000 stream records of the first).
 *   Both variants write the same kind of table; nothing here reads the stream.
 * - A warm-up of both variants (not counted): the JVM's JIT takes thousands of requests to settle
 *   (on a loaded 2-core machine the JVM's CPU a record kept falling for ~7,000 records).
 */
import './bench/quietLambdas.js';
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createBonusConsumer } from '../lambdas/bonus/createBonusConsumer.js';
import { startDynamoDbLocal, type DynamoDbLocal } from '../local/dynamodb-local.js';
import { synthLocalAssembly } from '../local/localAssembly.js';
import { createServiceTable } from '../test/support/serviceTable.js';
import { checkMoney, deliver, planConsumerWorkload, seedWorkload, type ConsumerWorkload, type MoneyCheck, type SqsHandler } from './bench/consumerWorkload.js';
import { measureEndToEndCost } from './bench/endToEndCost.js';
import { createPowertoolsPeer } from './bench/powertoolsPeer.js';
import { ownCpuMs, processCpuMs } from './bench/processCpu.js';
import { RequestCounter } from './bench/requestCounter.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    solutions: { type: 'string', default: '3000' },
    warmup: { type: 'string', default: '1500' },
    'warmup-passes': { type: 'string', default: '2' },
    'end-to-end-solutions': { type: 'string', default: '3' },
    'skip-end-to-end': { type: 'boolean', default: false },
  },
});
const ROUNDS = Number(values.rounds);
const WARMUP_PASSES = Number(values['warmup-passes']);
const ENVIRONMENTS = 4;
const PER_RATING_POINT = 100;
const out = (line = '') => process.stdout.write(`${line}\n`);
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

type Variant = 'project' | 'powertools';
interface RunResult {
  variant: Variant;
  seconds: number;
  recordsPerSecond: number;
  requests: RequestCounter;
  redeliveries: number;
  invocations: number;
  /** Mean time an invocation took (handler start to answer), ms. */
  msPerInvocation: number;
  /** CPU ms a delivered record cost: this process (the consumers, the SDK, the harness) and DynamoDB Local's JVM. */
  nodeCpuPerRecord: number;
  dynamodbCpuPerRecord: number | undefined;
  money: MoneyCheck;
}

const local = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };

async function runVariant(variant: Variant, round: number, ddb: DynamoDbLocal, workload: ConsumerWorkload): Promise<RunResult> {
  const { endpoint } = ddb;
  const admin = new DynamoDBClient({ ...local, endpoint });
  const adminDoc = DynamoDBDocumentClient.from(admin, { marshallOptions: { removeUndefinedValues: true } });
  const tableName = `bench-${variant}-${round}-${Date.now().toString(36)}`;
  await createServiceTable(admin, tableName); // without a stream: see the header
  const idempotencyTableName = `${tableName}-idempotency`;
  if (variant === 'powertools') {
    await admin.send(
      new CreateTableCommand({
        TableName: idempotencyTableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      }),
    );
  }
  await seedWorkload(adminDoc, tableName, workload);

  // One client per environment, as each Lambda execution environment has its own.
  const requests = new RequestCounter();
  const clients = Array.from({ length: ENVIRONMENTS }, () => {
    const client = new DynamoDBClient({ ...local, endpoint });
    requests.attach(client);
    return client;
  });
  // Nothing may park or dead-letter here: an SQS client that reaches no server turns any such send into a redelivery.
  const sqs = new SQSClient({ ...local, endpoint: 'http://127.0.0.1:9', maxAttempts: 1 });
  const environments: SqsHandler[] = clients.map((client) =>
    variant === 'project'
      ? createBonusConsumer({
          perRatingPoint: PER_RATING_POINT,
          clients: { doc: DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }), sqs },
          tableName,
          queueUrl: 'http://127.0.0.1:9/000000000000/bench',
          deadLetterQueueUrl: 'http://127.0.0.1:9/000000000000/bench-dlq',
        })
      : createPowertoolsPeer({ client, tableName, idempotencyTableName, perRatingPoint: PER_RATING_POINT }),
  );

  let handlerMs = 0;
  const timed = environments.map((handler): SqsHandler => async (event, context) => {
    const started = performance.now();
    try {
      return await handler(event, context);
    } finally {
      handlerMs += performance.now() - started;
    }
  });

  const dynamodbCpuBefore = processCpuMs(ddb.pid);
  const nodeCpuBefore = ownCpuMs();
  const started = performance.now();
  const { redeliveries, invocations } = await deliver(workload.batches, timed, workload.shape.batchSize);
  const seconds = (performance.now() - started) / 1000;
  const nodeCpuPerRecord = (ownCpuMs() - nodeCpuBefore) / workload.deliveries;
  const dynamodbCpuAfter = processCpuMs(ddb.pid);
  const dynamodbCpuPerRecord = dynamodbCpuBefore === undefined || dynamodbCpuAfter === undefined ? undefined : (dynamodbCpuAfter - dynamodbCpuBefore) / workload.deliveries;
  const money = await checkMoney(adminDoc, tableName, workload);
  for (const client of [...clients, admin]) client.destroy();
  sqs.destroy();
  return {
    variant,
    seconds,
    recordsPerSecond: workload.deliveries / seconds,
    requests,
    redeliveries,
    invocations,
    msPerInvocation: handlerMs / invocations,
    nodeCpuPerRecord,
    dynamodbCpuPerRecord,
    money,
  };
}

/** `0.52 node + 1.60 DynamoDB Local` (the JVM's share only where /proc is readable). */
function cpuText(r: { nodeCpuPerRecord: number; dynamodbCpuPerRecord: number | undefined }): string {
  return `${r.nodeCpuPerRecord.toFixed(2)} node + ${r.dynamodbCpuPerRecord === undefined ? '?' : r.dynamodbCpuPerRecord.toFixed(2)} DynamoDB Local`;
}

function moneyText(m: MoneyCheck, workload: ConsumerWorkload): string {
  const ok = m.balanceExact && m.ledgerEntries === workload.shape.solutions && m.doubled === 0 && m.missing === 0;
  return `${ok ? 'exact' : 'WRONG'} (balances ${m.balanceExact ? 'exact' : 'off'}, ledger ${m.ledgerEntries}/${workload.shape.solutions}, doubled ${m.doubled}, missing ${m.missing})`;
}

async function main() {
  const shape = { solutions: Number(values.solutions), duplicateShare: 0.2, overlapShare: 0.5, batchSize: 10, managers: 50, tasks: 200, perRatingPoint: PER_RATING_POINT };
  const workload = planConsumerWorkload(shape);
  out(`hiring-events consumer bench (node ${process.version}, DynamoDB Local, ${ROUNDS} rounds, variants alternating)`);
  out(
    `workload: ${shape.solutions} TaskSolved + ${workload.deliveries - shape.solutions} duplicate deliveries (${shape.overlapShare * 100}% in their original's batch), ` +
      `${workload.batches.length} batches of <= ${shape.batchSize}, ${ENVIRONMENTS} environments, ${shape.managers} managers, ${shape.tasks} tasks (half re-rated)\n`,
  );

  const ddb = await startDynamoDbLocal({ jvm: 'throughput' });
  out(`load average at start ${load()} (1, 5, 15 min; ${availableParallelism()} cores)`);
  let failed = false;
  try {
    // DynamoDB Local's JIT and both consumers' code paths are several times slower until warm (see the header).
    const warmup = planConsumerWorkload({ ...shape, solutions: Number(values.warmup) }, 7);
    const warmupRates: Record<Variant, string[]> = { project: [], powertools: [] };
    for (let pass = 1; pass <= WARMUP_PASSES; pass += 1) {
      for (const variant of ['project', 'powertools'] as const) warmupRates[variant].push((await runVariant(variant, -pass, ddb, warmup)).recordsPerSecond.toFixed(0));
    }
    out(
      `  warm-up, not counted: ${WARMUP_PASSES} x ${warmup.deliveries} records through each variant ` +
        `(records/s: bonus ${warmupRates.project.join(' -> ')}, Powertools ${warmupRates.powertools.join(' -> ')})`,
    );
    const results: RunResult[] = [];
    for (let round = 1; round <= ROUNDS; round += 1) {
      const order: Variant[] = round % 2 ? ['project', 'powertools'] : ['powertools', 'project'];
      for (const variant of order) {
        const result = await runVariant(variant, round, ddb, workload);
        results.push(result);
        out(
          `  round ${round} ${variant.padEnd(10)} ${result.recordsPerSecond.toFixed(0).padStart(5)} records/s  ${(result.requests.total / workload.deliveries).toFixed(2)} requests a record  ` +
            `CPU a record ${cpuText(result)}  ${result.redeliveries} redeliveries  money ${moneyText(result.money, workload)}  load ${load()}`,
        );
      }
    }

    const summary = (variant: Variant) => {
      const runs = results.filter((r) => r.variant === variant);
      const rate = median(runs.map((r) => r.recordsPerSecond));
      // The run whose rate is the median (the lower middle one for an even count): its requests by command and latencies.
      const mid = [...runs].sort((a, b) => a.recordsPerSecond - b.recordsPerSecond)[Math.floor((runs.length - 1) / 2)]!;
      const dynamodbCpu = runs.map((r) => r.dynamodbCpuPerRecord).filter((ms): ms is number => ms !== undefined);
      return {
        rate,
        requestsPerRecord: median(runs.map((r) => r.requests.total / workload.deliveries)),
        byCommand: mid.requests.describe(workload.deliveries),
        latency: mid.requests.describeLatency(),
        msPerInvocation: median(runs.map((r) => r.msPerInvocation)),
        nodeCpuPerRecord: median(runs.map((r) => r.nodeCpuPerRecord)),
        dynamodbCpuPerRecord: dynamodbCpu.length ? median(dynamodbCpu) : undefined,
        redeliveries: median(runs.map((r) => r.redeliveries)),
        moneyExact: runs.every((r) => r.money.balanceExact && r.money.ledgerEntries === shape.solutions && r.money.doubled === 0 && r.money.missing === 0),
        doubled: Math.max(...runs.map((r) => r.money.doubled)),
      };
    };
    const project = summary('project');
    const peer = summary('powertools');
    const ratio = project.rate / peer.rate;
    // Each round's two runs ran minutes apart at most, under the same load: their ratio, round by round.
    const roundRatios = Array.from({ length: ROUNDS }, (_, i) => {
      const [a, b] = results.slice(2 * i, 2 * i + 2);
      return (a!.variant === 'project' ? a!.recordsPerSecond / b!.recordsPerSecond : b!.recordsPerSecond / a!.recordsPerSecond).toFixed(2);
    });
    out(`\n(a) medians of ${ROUNDS} rounds (${workload.deliveries} records delivered a run); load average now ${load()}`);
    const rows = [
      ['consumer', 'records/s', 'ratio', 'requests/record', 'by command (a record)', 'redeliveries', 'money', 'CPU ms a record'],
      [
        'bonus (batch handler)',
        project.rate.toFixed(0),
        `${ratio.toFixed(2)}x`,
        project.requestsPerRecord.toFixed(3),
        project.byCommand,
        String(project.redeliveries),
        project.moneyExact ? 'exact, 0 doubled' : `WRONG (doubled ${project.doubled})`,
        cpuText(project),
      ],
      [
        'Powertools batch + idempotency',
        peer.rate.toFixed(0),
        '1.00x',
        peer.requestsPerRecord.toFixed(3),
        peer.byCommand,
        String(peer.redeliveries),
        peer.moneyExact ? 'exact, 0 doubled' : `WRONG (doubled ${peer.doubled})`,
        cpuText(peer),
      ],
    ];
    const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
    const leftAligned = new Set([0, 4, 6, 7]);
    for (const row of rows) out(`  ${row.map((cell, c) => (leftAligned.has(c) ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ')}`);
    out(`  ratio round by round: ${roundRatios.join(', ')}`);
    out(`  where a batch's time goes (median run; an invocation = one SQS batch, ${ENVIRONMENTS} in flight):`);
    out(`    bonus       ${project.msPerInvocation.toFixed(1)} ms an invocation; round trips ${project.latency}`);
    out(`    Powertools  ${peer.msPerInvocation.toFixed(1)} ms an invocation; round trips ${peer.latency} (a record's requests overlap: its 2 reads, and the 10 records of a batch)`);
    const target = ratio >= 3 && project.requestsPerRecord <= 0.25;
    const bar = ratio >= 2.5 && project.requestsPerRecord <= 0.3 && project.moneyExact;
    out(`  target >= 3x at <= 0.25 requests a record: ${target ? 'met' : 'not met'}; bar >= 2.5x, <= 0.3, money exact: ${bar ? 'met' : 'NOT MET'}`);
    failed = !project.moneyExact || !peer.moneyExact;

    if (!values['skip-end-to-end']) {
      const synth = synthLocalAssembly();
      const cost = await measureEndToEndCost({ assemblyDir: synth.outdir, dynamodbEndpoint: ddb.endpoint, solutions: Number(values['end-to-end-solutions']) });
      out(`\n(b) ONE TaskSolved end to end on the offline runtime (POST solution -> credited -> quiet), ${cost.solutions} solutions, ${cost.identical ? 'each the same' : 'they differed: the last shown'}`);
      out(`  Lambda invocations  ${String(cost.lambda.total).padStart(3)}  ${cost.lambda.describe(1, 0)}`);
      out(`  DynamoDB requests   ${String(cost.dynamodb.total).padStart(3)}  ${cost.dynamodb.describe(1, 0)}  (+ ${cost.streamPolls} stream reads by the pollers in the window, idle polls included; free on AWS for Lambda triggers)`);
      out(`  EventBridge         ${String(cost.eventbridge.total).padStart(3)}  ${cost.eventbridge.describe(1, 0)}`);
      out(`  SQS requests        ${String(cost.sqs.total).padStart(3)}  ${cost.sqs.describe(1, 0)}  (ReceiveMessage: the receives that returned the message)`);
    }
  } finally {
    await ddb.stop();
  }
  if (failed) process.exitCode = 1;
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (error: Error) => {
    process.stderr.write(`✗ bench:consumer failed: ${error.stack ?? error.message}\n`);
    process.exit(1);
  },
);
