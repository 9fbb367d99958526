import { writeFileSync } from 'node:fs';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { expect } from 'vitest';
import { listDeadLetterQueues } from '../../../../local/dlq.js';
import { serviceUrls } from '../../../../local/endpointsFile.js';
import { synthLocalAssembly, LOCAL_SCHEDULE_SECONDS_PER_MINUTE } from '../../../../local/localAssembly.js';
import { waitFor } from '../../../../local/net.js';
import { startLocalRuntime, type LocalRuntime } from '../../../../local/runtime.js';
import type { BalanceAnswer } from '../../../../lambdas/bonus/types.js';
import { ApiClient, type ApiAnswer } from '../../../../scripts/e2e/client.js';
import { DEFAULT_STAGE, stackIds } from '../../../../lib/stage.js';

/** The whole local parking schedule (8 parks, 1 s doubling: 255 s) plus margin: the longest a parked event can take. */
const PARKING_SCHEDULE_MS = 270_000;

type Balance = Pick<BalanceAnswer, 'balance' | 'entries'>;

export interface OfflineWalk {
  readonly runtime: LocalRuntime;
  readonly doc: DynamoDBDocumentClient;
  /** The three APIs of the step currently applied. */
  api(): ApiClient;
  /** Applies step `step`'s assembly (tables and queued messages kept). */
  advance(step: number): Promise<void>;
  /** The answer's body after checking its status; a failure shows the recent warnings and errors of the walk. */
  ok<T>(answer: ApiAnswer<T> | Promise<ApiAnswer<T>>, status: number, what: string): Promise<T>;
  /** A manager's balance in bonus, `undefined` while bonus answers 404 (no credit, manager unknown). */
  balance(manager: string): Promise<Balance | undefined>;
  /** Waits as long as the parking schedule can take for a manager's first credit; the balance seen then. */
  awaitCredit(manager: string): Promise<Balance>;
  /** The local name of a service's table (`prod-HiringEvents-Services-<Service>Table...`). */
  tableOf(service: 'Tasks' | 'Bonus' | 'Hiring'): Promise<string>;
  /** Waits until the queues (and DLQs) whose logical ids start with `prefixes` are empty: an operator's "drained". */
  drained(prefixes: readonly string[], what: string): Promise<void>;
  /** Names of the DLQs that hold messages. */
  nonEmptyDeadLetterQueues(): Promise<string[]>;
  recentLogs(): string;
  /** Writes the walk's log (runtime and functions) to `.local/migrations-walk/<name>.log` and stops everything. */
  stop(): Promise<void>;
}

/**
 * A migration walk on the offline runtime: the real app synthesized (bundled Lambdas) once per step
 * with that step's context into `.local/migrations-walk/<name>-<step>`, started at the first step on
 * its own DynamoDB Local and SQS server (the stack's table names are the same as other suites').
 */
export async function startOfflineWalk(name: string, contextByStep: ReadonlyMap<number, Record<string, unknown>>): Promise<OfflineWalk> {
  const assemblies = new Map<number, string>();
  for (const [step, context] of contextByStep) assemblies.set(step, synthLocalAssembly({ outdir: `.local/migrations-walk/${name}-${step}`, context }).outdir);
  const logs: string[] = [];
  const runtime = await startLocalRuntime({
    schedules: { secondsPerMinute: LOCAL_SCHEDULE_SECONDS_PER_MINUTE },
    assemblyDir: assemblies.get(Math.min(...assemblies.keys()))!,
    log: (m) => logs.push(`[local] ${m}`),
    functionLog: (fn, line) => logs.push(`${fn}: ${line}`),
  });
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const dynamodb = new DynamoDBClient({ endpoint: runtime.services.dynamodb, region: 'us-east-1', credentials });
  const doc = DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } });
  const sqs = new SQSClient({ endpoint: runtime.services.sqs, region: 'us-east-1', credentials });
  const client = () => new ApiClient(serviceUrls(runtime.endpoints));
  let api = client();
  const recentLogs = () => logs.filter((l) => /error|warn|dead-letter|timed out/i.test(l)).slice(-20).join('\n');

  /** Messages in a queue: visible, in flight and delayed (parked ones are delayed). */
  const depth = async (url: string): Promise<number> => {
    const attributes = ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] as const;
    const { Attributes = {} } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: [...attributes] }));
    return attributes.reduce((sum, a) => sum + Number(Attributes[a] ?? 0), 0);
  };

  const balance = async (manager: string): Promise<Balance | undefined> => {
    const answer = await api.request<BalanceAnswer>('bonus', 'GET', `/managers/${manager}/balance`);
    return answer.status === 200 ? { balance: answer.body.balance, entries: answer.body.entries } : undefined;
  };

  return {
    runtime,
    doc,
    api: () => api,
    async advance(step) {
      await runtime.reload(assemblies.get(step)!);
      api = client();
    },
    async ok(answer, status, what) {
      const { status: got, body } = await answer;
      expect(got, `${what}: ${JSON.stringify(body)}\n${recentLogs()}`).toBe(status);
      return body;
    },
    balance,
    async awaitCredit(manager) {
      return waitFor(async () => {
        const seen = await balance(manager);
        return seen?.entries ? seen : undefined;
      }, { timeoutMs: PARKING_SCHEDULE_MS, intervalMs: 250, what: `credit of ${manager}` });
    },
    async tableOf(service) {
      const { TableNames = [] } = await dynamodb.send(new ListTablesCommand({}));
      const table = TableNames.find((n) => n.startsWith(`${stackIds(DEFAULT_STAGE).services}-${service}Table`));
      if (!table) throw new Error(`no ${service} table in ${TableNames.join(', ')}`);
      return table;
    },
    async drained(prefixes, what) {
      const queues = runtime.queues().filter((q) => prefixes.some((p) => q.key.split('/')[1]!.startsWith(p)));
      expect(queues.length, `queues and DLQs of ${prefixes.join(', ')}`).toBeGreaterThanOrEqual(prefixes.length * 2);
      await waitFor(async () => (await Promise.all(queues.map((q) => depth(q.url)))).every((d) => d === 0), { timeoutMs: PARKING_SCHEDULE_MS, intervalMs: 250, what });
    },
    async nonEmptyDeadLetterQueues() {
      return (await listDeadLetterQueues(runtime.assembly(), sqs)).filter((q) => (q.depth ?? 0) > 0).map((q) => q.name);
    },
    recentLogs,
    async stop() {
      writeFileSync(`.local/migrations-walk/${name}.log`, `${logs.join('\n')}\n`);
      dynamodb.destroy();
      sqs.destroy();
      await runtime.stop();
    },
  };
}
