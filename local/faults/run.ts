/**
 * A whole chaos run on the offline runtime: the synthesized app comes up with
 * every fault hook of {@link Chaos} installed and DynamoDB's transaction conflicts emulated, the
 * seeded workload is driven over HTTP, the run waits until the system is quiet, then checks the
 * money invariant and lists every DLQ.
 *
 * Workloads: `stories` (managers, tasks, candidates, moves and ratings mixed; `workload.ts`) or
 * `hot-manager` (every solution credits ONE manager; `hotManager.ts`), which also requires the DLQs
 * to stay empty.
 *
 * Invariant: each manager's balance equals the sum of `rating x 100` over the solutions whose 201
 * answer named them as the task's manager at solve time; the ledger (read whole from the bonus
 * table) holds exactly one entry per solution (task + candidate) and per event id.
 */
import { LOCAL_SCHEDULE_SECONDS_PER_MINUTE } from '../localAssembly.js';
import { createWriteStream } from 'node:fs';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DynamoDBClient, QueryCommand, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { bonusKeys } from '../../lambdas/bonus/keys.js';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { waitFor } from '../net.js';
import { serviceUrls } from '../endpointsFile.js';
import { startLocalRuntime, type LocalRuntime } from '../runtime.js';
import { Chaos, functionRole, type ChaosRates } from './chaos.js';
import { ApiClient } from './client.js';
import { ConflictOutcomes } from './conflictOutcomes.js';
import { planHotManager, runHotManagerWorkload } from './hotManager.js';
import type { ServiceProxy } from '../service-proxy.js';
import { PER_RATING_POINT, planWorkload, runWorkload, type SolvedRecord, type WorkloadResult } from './workload.js';
import type { LooseJsonObject } from '../looseJson.js';
import { ATTR_FAILURE_KIND, ATTR_FAILURE_REASON } from '../../lambdas/shared/messaging/constants.js';

export type ChaosWorkload = 'stories' | 'hot-manager';

export interface ChaosRunOptions {
  readonly assemblyDir: string;
  readonly seed: number;
  /** Default `stories`. */
  readonly workload?: ChaosWorkload;
  /** `stories`: business events to make, at least. */
  readonly events: number;
  /** `hot-manager`: solutions (TaskSolved) for the one manager, at least. Default 2000. */
  readonly solutions?: number;
  /** Inject the chaos faults (deliveries, crashes, failing AWS calls, API faults). Default true. Time compression of SQS retries stays either way. */
  readonly faults?: boolean;
  /** Emulate DynamoDB's transaction conflicts for the functions. Default true. */
  readonly transactionConflicts?: boolean;
  /** HTTP requests in flight at most. Default 16. */
  readonly concurrency?: number;
  /** Task stories running at once. Default 12. */
  readonly stories?: number;
  readonly rates?: Partial<ChaosRates>;
  /** How long to wait for the system to become quiet after the workload. Default 300 s. */
  readonly quiescenceTimeoutMs?: number;
  /** Runtime and function logs go here (a file). Default: dropped. */
  readonly logFile?: string;
  /** Progress lines. */
  readonly progress?: (line: string) => void;
}

export interface DlqMessage {
  readonly queue: string;
  readonly messageId: string;
  readonly failureKind?: string;
  readonly failureReason?: string;
  readonly summary: string;
  readonly explained: boolean;
}

/** What happened to the DynamoDB transaction conflicts of the run. */
export interface ConflictSummary {
  /** Emulation on? */
  readonly emulated: boolean;
  /** Requests the conflict layer refused, in all and by operation. */
  readonly injected: number;
  readonly injectedByOperation: Record<string, number>;
  /** Retries the functions made themselves (`retryWrite`'s log line), in all and by function role. */
  readonly retriedInProcess: number;
  readonly retriedInProcessByRole: Record<string, number>;
  /** SQS records given back to SQS because of a conflict (batch item failures), in all and by role. */
  readonly backToSqs: number;
  readonly backToSqsByRole: Record<string, number>;
}

export interface ChaosReport {
  readonly seed: number;
  readonly workload: ChaosWorkload;
  readonly ok: boolean;
  readonly durationMs: number;
  readonly events: { readonly total: number; readonly byKind: Record<string, number> };
  readonly faults: { readonly total: number; readonly byKind: Record<string, number> };
  readonly conflicts: ConflictSummary;
  readonly clientRetries: { readonly total: number; readonly byReason: Record<string, number>; readonly requests: number };
  readonly propagationWaits: number;
  readonly solutions: number;
  readonly expectedTotal: number;
  readonly creditedTotal: number;
  readonly lost: number;
  readonly doubled: number;
  readonly problems: string[];
  readonly dlq: DlqMessage[];
  readonly quiescenceMs: number;
}

const attr = (m: Message, name: string) => m.MessageAttributes?.[name]?.StringValue;

export async function runChaos(options: ChaosRunOptions): Promise<ChaosReport> {
  const started = Date.now();
  const progress = options.progress ?? (() => undefined);
  const chaos = new Chaos(options.seed, options.rates);
  const workloadKind = options.workload ?? 'stories';
  if (options.faults === false) chaos.setEnabled(false);
  const conflictOutcomes = new ConflictOutcomes(functionRole);
  let logStream: ReturnType<typeof createWriteStream> | undefined;
  if (options.logFile) {
    mkdirSync(dirname(options.logFile), { recursive: true });
    logStream = createWriteStream(options.logFile);
  }
  const write = (line: string) => logStream?.write(`${line}\n`);

  let proxies: Awaited<ReturnType<Chaos['startProxies']>> | undefined;
  const apiProxies: ServiceProxy[] = [];
  let runtime: LocalRuntime | undefined;
  try {
    runtime = await startLocalRuntime({
      schedules: { secondsPerMinute: LOCAL_SCHEDULE_SECONDS_PER_MINUTE },
      assemblyDir: options.assemblyDir,
      log: (m) => write(`[local] ${m}`),
      functionLog: (fn, line) => {
        conflictOutcomes.observe(fn, line);
        write(`[${fn}] ${line}`);
      },
      transactionConflicts: options.transactionConflicts ?? true,
      functionEndpoints: async (services) => {
        proxies = await chaos.startProxies(services);
        return proxies.endpoints;
      },
      invocationFault: chaos.invocationFault,
      sqsDelivery: chaos.sqsDelivery,
    });
    runtime.eventBridge.setFaultInjector(chaos.putEventsFault);
    const rt = runtime;

    const baseUrls: Record<string, string> = {};
    const urls = serviceUrls(rt.endpoints);
    for (const service of ['tasks', 'hiring', 'bonus'] as const) {
      const real = new URL(urls[service]);
      const proxy = await chaos.startApiProxy(real.origin);
      apiProxies.push(proxy);
      baseUrls[service] = `${proxy.endpoint}${real.pathname}`;
    }
    progress(`runtime up in ${((Date.now() - started) / 1000).toFixed(1)} s; seed ${options.seed}`);

    const client = new ApiClient({ baseUrls, concurrency: options.concurrency ?? 16 });
    let workload: WorkloadResult;
    if (workloadKind === 'hot-manager') {
      const plan = planHotManager(options.solutions ?? 2000);
      progress(`plan: ONE manager, ${plan.solutions} solutions (${plan.tasks} tasks x ${plan.candidates} candidates)`);
      workload = await runHotManagerWorkload(plan, client, options.seed, progress);
    } else {
      const plan = planWorkload(options.seed, options.events);
      progress(`plan: ${plan.events} business events (${plan.managers} managers, ${plan.candidates} candidates, ${plan.tasks.length} tasks)`);
      workload = await runWorkload(plan, client, options.seed, { storyConcurrency: options.stories ?? 12, log: progress });
    }
    progress(`workload done in ${((Date.now() - started) / 1000).toFixed(1)} s; waiting for the system to become quiet`);

    const quietFrom = Date.now();
    await awaitQuiescence(rt, options.quiescenceTimeoutMs ?? 300_000);
    const quiescenceMs = Date.now() - quietFrom;
    progress(`quiet after ${(quiescenceMs / 1000).toFixed(1)} s`);

    // Checks go around the fault proxies: the invariant is about the data, not about the faults.
    chaos.setEnabled(false);
    const check = await checkInvariant(client, rt, workload.managerUids, workload.solutions);
    const dlq = await listDeadLetters(rt);
    const problems = [...workload.anomalies, ...check.problems];
    const unexplained = dlq.filter((m) => !m.explained);
    for (const m of unexplained) problems.push(`unexplained DLQ message in ${m.queue}: ${m.summary}`);
    if (workloadKind === 'hot-manager' && dlq.length > unexplained.length) problems.push(`${dlq.length - unexplained.length} DLQ message(s) in a hot-manager run (it requires none)`);
    const faults = chaos.faults();
    const layer = rt.transactionConflicts;
    return {
      seed: options.seed,
      workload: workloadKind,
      conflicts: {
        emulated: layer !== undefined,
        injected: layer?.total() ?? 0,
        injectedByOperation: { ...(layer?.counts() ?? {}) },
        retriedInProcess: conflictOutcomes.total('retried-in-process'),
        retriedInProcessByRole: conflictOutcomes.byRole('retried-in-process'),
        backToSqs: conflictOutcomes.total('back-to-sqs'),
        backToSqsByRole: conflictOutcomes.byRole('back-to-sqs'),
      },
      ok: problems.length === 0 && check.lost === 0 && check.doubled === 0,
      durationMs: Date.now() - started,
      events: { total: Object.values(workload.events).reduce((a, b) => a + b, 0), byKind: workload.events },
      faults: { total: chaos.total(), byKind: faults },
      clientRetries: { total: client.totalRetries(), byReason: client.retries(), requests: client.requests },
      propagationWaits: workload.propagationWaits,
      solutions: workload.solutions.length,
      expectedTotal: check.expectedTotal,
      creditedTotal: check.creditedTotal,
      lost: check.lost,
      doubled: check.doubled,
      problems,
      dlq,
      quiescenceMs,
    };
  } finally {
    await runtime?.stop();
    await proxies?.stop();
    await Promise.all(apiProxies.map((p) => p.stop()));
    await new Promise<void>((resolve) => (logStream ? logStream.end(() => resolve()) : resolve()));
  }
}

/**
 * Quiet = no invocation in flight, no SQS batch being delivered, no stream mapping reading, every
 * non-DLQ queue empty (visible, in flight and delayed/parked), no pending sync call in any table —
 * observed on consecutive probes for 2.5 s (longer than a batching window and a stream poll).
 */
async function awaitQuiescence(runtime: LocalRuntime, timeoutMs: number): Promise<void> {
  const sqs = new SQSClient({ region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, endpoint: runtime.services.sqs });
  const ddb = new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, endpoint: runtime.services.dynamodb });
  const work = runtime.queues().filter((q) => !isDeadLetterQueue(runtime, q.arn));
  const tables = runtime
    .assembly()
    .resources(['AWS::DynamoDB::Table', 'AWS::DynamoDB::GlobalTable'])
    .map((ref) => runtime.tableName(ref.key));
  let quietSince: number | undefined;
  let lastBusy = '';
  try {
    await waitFor(
      async () => {
        const busy = await busyReason();
        if (busy) {
          lastBusy = busy;
          quietSince = undefined;
          return false;
        }
        quietSince ??= Date.now();
        return Date.now() - quietSince >= 2500;
      },
      { timeoutMs, intervalMs: 200, what: 'the system to become quiet' },
    ).catch((error: Error) => {
      throw new Error(`${error.message} (still busy: ${lastBusy})`);
    });
  } finally {
    sqs.destroy();
    ddb.destroy();
  }

  async function busyReason(): Promise<string | undefined> {
    const a = runtime.activity();
    if (a.invocations || a.sqsBatches || a.busyStreams) return `activity ${JSON.stringify(a)}`;
    for (const q of work) {
      const { Attributes = {} } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: q.url,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
        }),
      );
      const n = Object.values(Attributes).reduce((sum, v) => sum + Number(v ?? 0), 0);
      if (n > 0) return `${n} message(s) on ${q.name}`;
    }
    for (const table of tables) {
      const { Count = 0 } = await ddb.send(
        new ScanCommand({
          TableName: table,
          FilterExpression: 'item_type = :call AND #status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':call': { S: 'call' }, ':pending': { S: 'pending' } } satisfies Record<string, AttributeValue>,
          Select: 'COUNT',
        }),
      );
      if (Count > 0) return `${Count} pending call(s) in ${table}`;
    }
    return undefined;
  }
}

function isDeadLetterQueue(runtime: LocalRuntime, arn: string): boolean {
  const queues = runtime.queues();
  const name = queues.find((q) => q.arn === arn)?.name ?? '';
  const isTarget = queues.some((q) => (q.attributes.RedrivePolicy ?? '').includes(arn));
  return isTarget || /DeadLetter|Failure/i.test(name);
}

/** Every message of every DLQ and failure queue (left in place), with its reason. */
async function listDeadLetters(runtime: LocalRuntime): Promise<DlqMessage[]> {
  const sqs = new SQSClient({ region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, endpoint: runtime.services.sqs });
  const out: DlqMessage[] = [];
  try {
    for (const q of runtime.queues().filter((q) => isDeadLetterQueue(runtime, q.arn))) {
      const seen = new Set<string>();
      for (let empty = 0; empty < 2; ) {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: q.url, MaxNumberOfMessages: 10, VisibilityTimeout: 120, WaitTimeSeconds: 0, MessageAttributeNames: ['All'], AttributeNames: ['All'] }),
        );
        const fresh = Messages.filter((m) => !seen.has(m.MessageId!));
        if (!fresh.length) {
          empty += 1;
          continue;
        }
        for (const m of fresh) {
          seen.add(m.MessageId!);
          out.push(describeDeadLetter(q.name, m));
        }
      }
    }
  } finally {
    sqs.destroy();
  }
  return out;
}

function describeDeadLetter(queue: string, m: Message): DlqMessage {
  const failureKind = attr(m, ATTR_FAILURE_KIND);
  const failureReason = attr(m, ATTR_FAILURE_REASON);
  let summary = (m.Body ?? '').slice(0, 200);
  let explained = Boolean(failureKind && failureReason);
  try {
    const body = JSON.parse(m.Body ?? '') as LooseJsonObject;
    if (body.detail?.event_name) summary = `${body.detail.event_name} v${body.detail.event_version} event_id ${body.detail.event_id} (receives: ${m.Attributes?.ApproximateReceiveCount ?? '?'})`;
    else if (body.pk) summary = `deferred call ${body.pk}`;
    else if (body.requestContext?.condition) {
      // A stream mapping's on-failure record: the batch range it gave up on, and why.
      summary = `stream batch given up on (${body.requestContext.condition}, ${body.DDBStreamBatchInfo?.batchSize} record(s), ${body.requestContext.approximateInvokeCount} invocations)`;
      explained = false; // its events are not published unless someone runs the republisher
    }
  } catch {
    // not JSON: the raw body is the summary
  }
  if (!failureKind && m.Attributes?.ApproximateReceiveCount) summary += ' — moved by the redrive policy after maxReceiveCount';
  return { queue, messageId: m.MessageId!, failureKind, failureReason, summary, explained };
}

/** Every ledger entry of a manager, read from the bonus table around the proxies (the API answers one page of 100). */
async function readLedger(runtime: LocalRuntime, managerUid: string): Promise<LooseJsonObject[]> {
  const table = runtime
    .assembly()
    .resources(['AWS::DynamoDB::Table', 'AWS::DynamoDB::GlobalTable'])
    .find((ref) => /BonusTable/.test(ref.key));
  if (!table) throw new Error('no bonus table (BonusTable) in the assembly');
  const ddb = new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, endpoint: runtime.services.dynamodb });
  const entries: LooseJsonObject[] = [];
  try {
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await ddb.send(
        new QueryCommand({
          TableName: runtime.tableName(table.key),
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :ledger)',
          ExpressionAttributeValues: { ':pk': { S: bonusKeys.manager(managerUid).pk }, ':ledger': { S: bonusKeys.ledgerPrefix } },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      entries.push(...(page.Items ?? []).map((item) => unmarshall(item)));
      start = page.LastEvaluatedKey;
    } while (start);
  } finally {
    ddb.destroy();
  }
  return entries;
}

async function checkInvariant(
  client: ApiClient,
  runtime: LocalRuntime,
  managerUids: string[],
  solutions: SolvedRecord[],
): Promise<{ problems: string[]; lost: number; doubled: number; expectedTotal: number; creditedTotal: number }> {
  const problems: string[] = [];
  const expected = new Map<string, { balance: number; entries: number }>();
  const bySolution = new Map<string, SolvedRecord>();
  for (const s of solutions) {
    const e = expected.get(s.task_manager_uid) ?? { balance: 0, entries: 0 };
    e.balance += s.rating * PER_RATING_POINT;
    e.entries += 1;
    expected.set(s.task_manager_uid, e);
    bySolution.set(`${s.task_uid}/${s.candidate_uid}`, s);
  }
  const perSolution = new Map<string, number>();
  const perEvent = new Map<string, number>();
  let creditedTotal = 0;
  for (const uid of managerUids) {
    const want = expected.get(uid) ?? { balance: 0, entries: 0 };
    const balance = await client.send('bonus', 'GET', `/managers/${uid}/balance`);
    const got = balance.status === 404 ? { balance: 0, entries: 0 } : (balance.body as { balance: number; entries: number });
    if (balance.status !== 200 && balance.status !== 404) problems.push(`GET balance of ${uid}: ${balance.status}`);
    creditedTotal += got.balance;
    if (got.balance !== want.balance || got.entries !== want.entries) {
      problems.push(`manager ${uid}: balance ${got.balance} (${got.entries} entries), expected ${want.balance} (${want.entries} entries)`);
    }
    const entries = await readLedger(runtime, uid);
    for (const entry of entries) {
      const id = `${entry.task_uid}/${entry.candidate_uid}`;
      perSolution.set(id, (perSolution.get(id) ?? 0) + 1);
      perEvent.set(String(entry.event_id), (perEvent.get(String(entry.event_id)) ?? 0) + 1);
      const s = bySolution.get(id);
      if (!s) problems.push(`ledger of ${uid}: entry for ${id} that no 201 answer reported`);
      else if (s.task_manager_uid !== uid) problems.push(`ledger of ${uid}: ${id} credited to the wrong manager (solved under ${s.task_manager_uid})`);
      else if (entry.amount !== s.rating * PER_RATING_POINT) problems.push(`ledger of ${uid}: ${id} amount ${entry.amount}, expected ${s.rating * PER_RATING_POINT}`);
    }
    const sum = entries.reduce((n, e) => n + Number(e.amount), 0);
    if (sum !== got.balance || entries.length !== got.entries) problems.push(`manager ${uid}: balance ${got.balance}/${got.entries} but ledger sums to ${sum}/${entries.length}`);
  }
  const lost = solutions.filter((s) => !perSolution.has(`${s.task_uid}/${s.candidate_uid}`)).length;
  const doubled = [...perSolution.values()].reduce((n, c) => n + Math.max(0, c - 1), 0);
  const doubledEvents = [...perEvent.values()].reduce((n, c) => n + Math.max(0, c - 1), 0);
  if (lost) problems.push(`${lost} solution(s) never credited`);
  if (doubled) problems.push(`${doubled} extra ledger entr(y/ies) for the same task+candidate`);
  if (doubledEvents) problems.push(`${doubledEvents} extra ledger entr(y/ies) for the same event_id`);
  const expectedTotal = solutions.reduce((n, s) => n + s.rating * PER_RATING_POINT, 0);
  return { problems, lost, doubled: Math.max(doubled, doubledEvents), expectedTotal, creditedTotal };
}

/** The report as printed by `npm run chaos`. */
export function formatReport(r: ChaosReport): string {
  const lines: string[] = [];
  const table = (o: Record<string, number>) => Object.entries(o).map(([k, v]) => `    ${k.padEnd(48)} ${v}`);
  const name = r.workload === 'hot-manager' ? 'hot-manager run' : 'chaos run';
  lines.push(`${name}, seed ${r.seed}: ${r.ok ? 'INVARIANT HOLDS' : 'INVARIANT BROKEN'} (${(r.durationMs / 1000).toFixed(1)} s, quiet ${(r.quiescenceMs / 1000).toFixed(1)} s after the workload)`);
  lines.push(`  business events: ${r.events.total}`, ...table(r.events.byKind));
  lines.push(`  faults injected: ${r.faults.total}`, ...table(r.faults.byKind));
  const c = r.conflicts;
  const inline = (o: Record<string, number>) => (Object.keys(o).length ? ` (${Object.entries(o).map(([k, v]) => `${k} ${v}`).join(', ')})` : '');
  if (!c.emulated) lines.push('  transaction conflicts: NOT emulated (--no-transaction-conflicts)');
  else {
    lines.push(`  transaction conflicts injected (DynamoDB, emulated): ${c.injected}${inline(c.injectedByOperation)}`);
    lines.push(`    retried in-process: ${c.retriedInProcess}${inline(c.retriedInProcessByRole)}`);
    lines.push(`    went back to SQS (batch item failures): ${c.backToSqs}${inline(c.backToSqsByRole)}`);
  }
  lines.push(`  client retries (same Idempotency-Key): ${r.clientRetries.total} over ${r.clientRetries.requests} requests`, ...table(r.clientRetries.byReason));
  lines.push(`  propagation waits (404 / 409 not_assigned before an event or call arrived): ${r.propagationWaits}`);
  lines.push(`  solutions: ${r.solutions}; expected credit ${r.expectedTotal}, credited ${r.creditedTotal}`);
  lines.push(`  lost ${r.lost}, doubled ${r.doubled}`);
  lines.push(`  DLQ messages: ${r.dlq.length}`);
  for (const m of r.dlq) lines.push(`    [${m.explained ? 'explained' : 'UNEXPLAINED'}] ${m.queue}: ${m.summary}; failure-kind=${m.failureKind ?? '-'} failure-reason=${m.failureReason ?? '-'}`);
  if (r.problems.length) lines.push('  problems:', ...r.problems.map((p) => `    - ${p}`));
  return lines.join('\n');
}
