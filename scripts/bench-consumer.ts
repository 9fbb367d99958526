/**
 * `npm run bench:consumer [-- --rounds 3] [--solutions 3000] [--skip-end-to-end]`: figures, not tests.
 *
 * (a) Bonus's consumer (the messaging kit's batch handler: one BatchGetItem and one
 *     TransactWriteItems per SQS batch) against a Powertools batch + idempotency consumer doing the
 *     same reads and writes (`scripts/bench/powertoolsPeer.ts`), on one DynamoDB Local this script
 *     starts. Workload: 3,000 TaskSolved, 20% duplicate deliveries (half of them in their
 *     original's batch), batches of 10, 4 environments (batches in flight), the SQS event source
 *     simulated in process (failed records redelivered). Variants alternate, each round on fresh
 *     tables; medians over the rounds. Money is checked after every run.
 * (b) What ONE TaskSolved costs end to end on the offline runtime (`scripts/bench/endToEndCost.ts`).
 */
import './bench/quietLambdas.js';
import { parseArgs } from 'node:util';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createBonusConsumer } from '../lambdas/bonus/createBonusConsumer.js';
import { startDynamoDbLocal } from '../local/dynamodb-local.js';
import { synthLocalAssembly } from '../local/localAssembly.js';
import { createServiceTable } from '../test/support/serviceTable.js';
import { checkMoney, deliver, planConsumerWorkload, seedWorkload, type ConsumerWorkload, type MoneyCheck, type SqsHandler } from './bench/consumerWorkload.js';
import { measureEndToEndCost } from './bench/endToEndCost.js';
import { createPowertoolsPeer } from './bench/powertoolsPeer.js';
import { RequestCounter } from './bench/requestCounter.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    solutions: { type: 'string', default: '3000' },
    warmup: { type: 'string', default: '600' },
    'end-to-end-solutions': { type: 'string', default: '3' },
    'skip-end-to-end': { type: 'boolean', default: false },
  },
});
const ROUNDS = Number(values.rounds);
const ENVIRONMENTS = 4;
const PER_RATING_POINT = 100;
const out = (line = '') => process.stdout.write(`${line}\n`);
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
  money: MoneyCheck;
}

const local = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };

async function runVariant(variant: Variant, round: number, endpoint: string, workload: ConsumerWorkload): Promise<RunResult> {
  const admin = new DynamoDBClient({ ...local, endpoint });
  const adminDoc = DynamoDBDocumentClient.from(admin, { marshallOptions: { removeUndefinedValues: true } });
  const tableName = `bench-${variant}-${round}-${Date.now().toString(36)}`;
  await createServiceTable(admin, tableName);
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

  const started = performance.now();
  const { redeliveries } = await deliver(workload.batches, environments, workload.shape.batchSize);
  const seconds = (performance.now() - started) / 1000;
  const money = await checkMoney(adminDoc, tableName, workload);
  for (const client of [...clients, admin]) client.destroy();
  sqs.destroy();
  return { variant, seconds, recordsPerSecond: workload.deliveries / seconds, requests, redeliveries, money };
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

  const ddb = await startDynamoDbLocal();
  let failed = false;
  try {
    // DynamoDB Local (a JVM) and both consumers' code paths are several times slower until warm.
    const warmup = planConsumerWorkload({ ...shape, solutions: Number(values.warmup) }, 7);
    for (const variant of ['project', 'powertools'] as const) await runVariant(variant, 0, ddb.endpoint, warmup);
    out(`  (warm-up: ${warmup.deliveries} records through each variant, not counted)`);
    const results: RunResult[] = [];
    for (let round = 1; round <= ROUNDS; round += 1) {
      const order: Variant[] = round % 2 ? ['project', 'powertools'] : ['powertools', 'project'];
      for (const variant of order) {
        const result = await runVariant(variant, round, ddb.endpoint, workload);
        results.push(result);
        out(
          `  round ${round} ${variant.padEnd(10)} ${result.recordsPerSecond.toFixed(0).padStart(5)} records/s  ${(result.requests.total / workload.deliveries).toFixed(2)} requests a record  ` +
            `${result.redeliveries} redeliveries  money ${moneyText(result.money, workload)}`,
        );
      }
    }

    const summary = (variant: Variant) => {
      const runs = results.filter((r) => r.variant === variant);
      const mid = runs.find((r) => r.recordsPerSecond === median(runs.map((x) => x.recordsPerSecond))) ?? runs[0]!;
      return {
        rate: median(runs.map((r) => r.recordsPerSecond)),
        requestsPerRecord: median(runs.map((r) => r.requests.total / workload.deliveries)),
        byCommand: mid.requests.describe(workload.deliveries),
        redeliveries: median(runs.map((r) => r.redeliveries)),
        moneyExact: runs.every((r) => r.money.balanceExact && r.money.ledgerEntries === shape.solutions && r.money.doubled === 0 && r.money.missing === 0),
        doubled: Math.max(...runs.map((r) => r.money.doubled)),
      };
    };
    const project = summary('project');
    const peer = summary('powertools');
    const ratio = project.rate / peer.rate;
    out(`\n(a) medians of ${ROUNDS} rounds (${workload.deliveries} records delivered a run)`);
    const rows = [
      ['consumer', 'records/s', 'ratio', 'requests/record', 'by command (a record)', 'redeliveries', 'money'],
      ['bonus (batch handler)', project.rate.toFixed(0), `${ratio.toFixed(2)}x`, project.requestsPerRecord.toFixed(3), project.byCommand, String(project.redeliveries), project.moneyExact ? 'exact, 0 doubled' : `WRONG (doubled ${project.doubled})`],
      ['Powertools batch + idempotency', peer.rate.toFixed(0), '1.00x', peer.requestsPerRecord.toFixed(3), peer.byCommand, String(peer.redeliveries), peer.moneyExact ? 'exact, 0 doubled' : `WRONG (doubled ${peer.doubled})`],
    ];
    const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
    for (const row of rows) out(`  ${row.map((cell, c) => (c === 0 || c === 4 || c === 6 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ')}`);
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
