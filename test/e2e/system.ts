/**
 * The system under test for the end-to-end suite, driven only through its HTTP APIs.
 *
 * - Default: the offline runtime, booted once for the suite from the real app synthesized into
 *   `.local/test-cdk.out` (shared with the chaos test, reused while no source changed) with the local short delays, on
 *   its own DynamoDB Local and SQS server. Not the global setup's: the app's queue and table names are fixed, so two
 *   suites booting it on one server at once (this one and `hostile.test.ts`) would poll each other's queues and
 *   stream each other's tables, and a message taken by the runtime that stopped first stays invisible until its
 *   visibility timeout.
 * - `E2E_ENDPOINTS=<file>` (JSON `{hiring, tasks, bonus}`): a deployed stack (LocalStack or AWS);
 *   nothing is started, requests are SigV4-signed when the host is not loopback.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { LOCAL_REGION } from '../../local/assembly.js';
import { LOCAL_SCHEDULE_SECONDS_PER_MINUTE } from '../../local/localAssembly.js';
import { readEndpointsFile, serviceUrls, type EndpointsFile } from '../../local/endpointsFile.js';
import { startLocalRuntime, type LocalRuntime } from '../../local/runtime.js';
import { formatTrace, type TraceStep } from '../../local/trace.js';
import { ApiClient } from '../../scripts/e2e/client.js';
import { withTestAssembly } from '../support/testAssembly.js';

export interface SystemUnderTest {
  readonly mode: 'local' | 'remote';
  readonly endpoints: Pick<EndpointsFile, 'hiring' | 'tasks' | 'bonus'>;
  readonly api: ApiClient;
  /** How long eventual outcomes are awaited (parking delays are seconds locally, longer deployed). */
  readonly eventualTimeoutMs: number;
  /** Runtime and function log lines (local mode), for failure messages. */
  readonly logs: string[];
  /** The local servers (local mode only): DynamoDB, SQS and EventBridge endpoints. */
  readonly services?: LocalRuntime['services'];
  readonly timings: { synthMs?: number; synthesized?: boolean; bootMs?: number };
  /** Each queue's depth (visible, in flight, delayed) and its mappings' batches in flight (local mode), for failure messages. */
  queueStates(): Promise<string[]>;
  /**
   * Messages the runtime sent to a queue (rule targets, schedules) that no mapping of this runtime has
   * received and deleted yet, from its trace (local mode; none remotely): `<queue>: <message id> <event>`.
   */
  strandedMessages(): string[];
  stop(): Promise<void>;
}

/** `suite` names the run log written at stop: `.local/e2e/<suite>.log`. */
export async function startSystem(suite: string): Promise<SystemUnderTest> {
  const file = process.env.E2E_ENDPOINTS;
  if (file) {
    const endpoints = readEndpointsFile(file);
    return {
      mode: 'remote',
      endpoints,
      api: new ApiClient(endpoints),
      eventualTimeoutMs: Number(process.env.E2E_TIMEOUT_MS ?? 180_000),
      logs: [],
      timings: {},
      queueStates: async () => [],
      strandedMessages: () => [],
      stop: async () => undefined,
    };
  }

  const logs: string[] = [];
  const keep = (line: string) => {
    logs.push(line);
  };
  // What the runtime sent to queues, until one of its mappings deletes it.
  const sent = new Map<string, string>();
  const follow = (step: TraceStep) => {
    keep(`[trace] ${formatTrace(step)}`);
    if (step.kind === 'sent') sent.set(step.messageId, `${step.queue}: ${step.messageId} ${step.event}`);
    if (step.kind === 'deleted' || step.kind === 'filtered') for (const id of step.messageIds) sent.delete(id);
  };
  let started = 0;
  // The runtime reads the templates while it starts (function code later, from content-addressed asset folders).
  const { synth, runtime } = await withTestAssembly(async (synth) => {
    started = Date.now();
    const runtime: LocalRuntime = await startLocalRuntime({
      schedules: { secondsPerMinute: LOCAL_SCHEDULE_SECONDS_PER_MINUTE },
      assemblyDir: synth.outdir,
      log: (m) => keep(`[local] ${m}`),
      functionLog: (fn, line) => keep(`${fn}: ${line}`),
      // Every message's path in the run log: where an awaited outcome stalled shows there.
      trace: follow,
    });
    return { synth, runtime };
  });
  const endpoints = serviceUrls(runtime.endpoints);
  return {
    mode: 'local',
    endpoints,
    api: new ApiClient(endpoints),
    // A generous ceiling, not a budget: a credit may wait out a few parking rounds (1, 2, 4, 8 s...)
    // when its TaskSolved overtakes the rating or the manager, longer on a busy machine.
    eventualTimeoutMs: Number(process.env.E2E_TIMEOUT_MS ?? 120_000),
    logs,
    services: runtime.services,
    timings: { synthMs: synth.ms, synthesized: synth.synthesized, bootMs: Date.now() - started },
    strandedMessages: () => [...sent.values()],
    queueStates: async () => {
      const sqs = new SQSClient({ endpoint: runtime.services.sqs, region: LOCAL_REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
      try {
        return await Promise.all(
          runtime.queues().map(async (queue) => {
            const { Attributes: a = {} } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: ['All'] }));
            return `${queue.name}: visible ${a.ApproximateNumberOfMessages}, in flight ${a.ApproximateNumberOfMessagesNotVisible}, delayed ${a.ApproximateNumberOfMessagesDelayed}`;
          }),
        );
      } finally {
        sqs.destroy();
      }
    },
    stop: async () => {
      mkdirSync('.local/e2e', { recursive: true });
      writeFileSync(`.local/e2e/${suite}.log`, `${logs.join('\n')}\n`);
      await runtime.stop();
    },
  };
}
