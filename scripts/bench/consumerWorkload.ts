import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { bonusKeys } from '../../lambdas/bonus/keys.js';
import { storeRatingVersion } from '../../lambdas/bonus/store.js';
import { buildEvent } from '../../lambdas/shared/registry/index.js';
import { Random } from '../../local/faults/random.js';

export interface WorkloadShape {
  /** Unique TaskSolved events. */
  solutions: number;
  /** Extra deliveries, as a share of `solutions` (0.2: 600 for 3,000). */
  duplicateShare: number;
  /** Share of the duplicates delivered in their original's batch (the rest in a later batch). */
  overlapShare: number;
  batchSize: number;
  managers: number;
  tasks: number;
  perRatingPoint: number;
}

interface Task {
  task_uid: string;
  manager_uid: string;
  /** v1 at T0; every other task re-rated at T0 + 30 min (so the amount depends on solved_at). */
  ratings: { version: number; rating: number; rated_at: string }[];
}

export interface ConsumerWorkload {
  shape: WorkloadShape;
  managers: string[];
  tasks: Task[];
  /** SQS batches in delivery order: every record once, duplicates included. */
  batches: SQSRecord[][];
  deliveries: number;
  /** What each manager must end with, computed independently of the consumers' code. */
  expected: Map<string, { balance: number; entries: number }>;
}

const T0 = Date.parse('2026-11-24T09:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

function record(body: unknown, random: Random): SQSRecord {
  return {
    messageId: random.uuid(),
    receiptHandle: random.uuid(),
    body: JSON.stringify({ version: '0', id: random.uuid(), 'detail-type': 'TaskSolved', source: 'hiring-events.hiring', detail: body }),
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(T0), SenderId: 'bench', ApproximateFirstReceiveTimestamp: String(T0) },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:bench',
    awsRegion: 'us-east-1',
  };
}

/**
 * The bench's workload, seeded: `solutions` TaskSolved of `tasks` tasks of `managers` managers, in
 * batches of `batchSize`, with `duplicateShare` extra deliveries of which `overlapShare` land in
 * the original's batch (two copies of one event in flight together) and the rest in a later batch.
 */
export function planConsumerWorkload(shape: WorkloadShape, seed = 12): ConsumerWorkload {
  const random = new Random(seed);
  const managers = Array.from({ length: shape.managers }, () => random.uuid());
  const tasks: Task[] = Array.from({ length: shape.tasks }, (_, i) => ({
    task_uid: random.uuid(),
    manager_uid: managers[i % managers.length]!,
    ratings: [
      { version: 1, rating: random.int(1, 5), rated_at: iso(T0) },
      ...(i % 2 === 0 ? [{ version: 2, rating: random.int(1, 5), rated_at: iso(T0 + 30 * 60_000) }] : []),
    ],
  }));
  const expected = new Map(managers.map((m) => [m, { balance: 0, entries: 0 }]));
  const events = Array.from({ length: shape.solutions }, () => {
    const task = random.pick(tasks);
    const solvedAt = T0 + random.int(60_000, 60 * 60_000);
    const inForce = [...task.ratings].reverse().find((r) => Date.parse(r.rated_at) <= solvedAt)!;
    const mine = expected.get(task.manager_uid)!;
    mine.balance += inForce.rating * shape.perRatingPoint;
    mine.entries += 1;
    return buildEvent(
      'TaskSolved',
      '0',
      { task_uid: task.task_uid, task_manager_uid: task.manager_uid, candidate_uid: random.uuid(), solved_at: iso(solvedAt) },
      { producer: 'hiring', eventId: random.uuid(), producedAt: new Date(solvedAt) },
    );
  });

  const duplicates = Math.round(shape.solutions * shape.duplicateShare);
  const overlapping = new Set(random.shuffle(events.map((_, i) => i)).slice(0, Math.round(duplicates * shape.overlapShare)));
  const later = random.shuffle(events.map((_, i) => i)).slice(0, duplicates - overlapping.size);
  // Delivery units: one record, or an event and its duplicate (they must share a batch). A later
  // duplicate is delivered 10-200 units after its original (a redelivery a few batches on).
  const afterUnit = new Map<number, SQSRecord[][]>();
  for (const i of later) {
    const at = Math.min(events.length - 1, i + random.int(10, 200));
    afterUnit.set(at, [...(afterUnit.get(at) ?? []), [record(events[i], random)]]);
  }
  const units = events.flatMap((event, i) => [
    overlapping.has(i) ? [record(event, random), record(event, random)] : [record(event, random)],
    ...(afterUnit.get(i) ?? []),
  ]);
  const batches: SQSRecord[][] = [];
  for (const unit of units) {
    const last = batches.at(-1);
    if (last && last.length + unit.length <= shape.batchSize) last.push(...unit);
    else batches.push([...unit]);
  }
  return { shape, managers, tasks, batches, deliveries: batches.reduce((n, b) => n + b.length, 0), expected };
}

/** Stores the managers and the rating histories the workload's events need (through bonus's own rating store). */
export async function seedWorkload(doc: DynamoDBDocumentClient, tableName: string, workload: ConsumerWorkload, concurrency = 16): Promise<void> {
  const jobs: (() => Promise<unknown>)[] = [
    ...workload.managers.map((manager) => () =>
      doc.send(new PutCommand({ TableName: tableName, Item: { ...bonusKeys.manager(manager), manager_uid: manager, payout_account: 'ACC-BENCH', version: 1 } })),
    ),
    ...workload.tasks.flatMap((task) => task.ratings.map((rating) => () => storeRatingVersion(doc, tableName, { task_uid: task.task_uid, ...rating }))),
  ];
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (let job = jobs.shift(); job; job = jobs.shift()) await job();
  }));
}

// biome-ignore lint/suspicious/noConfusingVoidType: the shape of aws-lambda's SQSHandler, so handlers that return nothing (`Promise<void>`) fit too.
export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

/** A Lambda context whose remaining time starts at the function timeout (30 s, as deployed). */
function lambdaContext(timeoutMs: number): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    functionName: 'bench',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:bench',
    memoryLimitInMB: '1024',
    awsRequestId: crypto.randomUUID(),
    logGroupName: 'bench',
    logStreamName: 'bench',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/**
 * Feeds the batches to `environments` (one handler instance each, one batch at a time each, like
 * Lambda execution environments behind an SQS event source). Records reported as batch item
 * failures come back in later batches (the next receive after their visibility timeout), their
 * receive count raised, until none fails.
 */
export async function deliver(batches: readonly SQSRecord[][], environments: readonly SqsHandler[], batchSize: number): Promise<{ redeliveries: number; invocations: number }> {
  let pending = batches.map((b) => [...b]);
  let redeliveries = 0;
  let invocations = 0;
  for (let pass = 0; pending.length > 0; pass += 1) {
    if (pass > 20) throw new Error('records kept failing after 20 redelivery passes');
    const failed: SQSRecord[] = [];
    const queue = [...pending];
    await Promise.all(
      environments.map(async (handler) => {
        for (let batch = queue.shift(); batch; batch = queue.shift()) {
          invocations += 1;
          const response = await handler({ Records: batch }, lambdaContext(30_000));
          const ids = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
          for (const r of batch) {
            if (ids.has(r.messageId)) failed.push({ ...r, attributes: { ...r.attributes, ApproximateReceiveCount: String(Number(r.attributes.ApproximateReceiveCount) + 1) } });
          }
        }
      }),
    );
    redeliveries += failed.length;
    pending = [];
    for (let i = 0; i < failed.length; i += batchSize) pending.push(failed.slice(i, i + batchSize));
  }
  return { redeliveries, invocations };
}

export interface MoneyCheck {
  /** Every manager's balance equals the sum of its solutions' amounts. */
  balanceExact: boolean;
  /** Ledger entries in the table, all managers. */
  ledgerEntries: number;
  /** Credits above the expected count (balance `entries` or ledger rows), all managers. */
  doubled: number;
  /** Expected credits missing. */
  missing: number;
}

/** Reads every manager's balance and ledger (uncounted client) and compares them with the workload's expectation. */
export async function checkMoney(doc: DynamoDBDocumentClient, tableName: string, workload: ConsumerWorkload): Promise<MoneyCheck> {
  let balanceExact = true;
  let ledgerEntries = 0;
  let doubled = 0;
  let missing = 0;
  for (const [manager, want] of workload.expected) {
    const { Item } = await doc.send(new GetCommand({ TableName: tableName, Key: bonusKeys.balance(manager), ConsistentRead: true }));
    let rows = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await doc.send(
        new QueryCommand({
          TableName: tableName,
          ConsistentRead: true,
          Select: 'COUNT',
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :ledger)',
          ExpressionAttributeValues: { ':pk': bonusKeys.manager(manager).pk, ':ledger': bonusKeys.ledgerPrefix },
          ExclusiveStartKey: startKey,
        }),
      );
      rows += page.Count ?? 0;
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    ledgerEntries += rows;
    const entries = Number(Item?.entries ?? 0);
    if (Number(Item?.balance ?? 0) !== want.balance) balanceExact = false;
    doubled += Math.max(0, entries - want.entries, rows - want.entries);
    missing += Math.max(0, want.entries - Math.min(entries, rows));
  }
  return { balanceExact, ledgerEntries, doubled, missing };
}
