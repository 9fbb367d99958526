import { writeFileSync, mkdirSync } from 'node:fs';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceUrls } from '../../../local/endpointsFile.js';
import { LOCAL_SCHEDULE_SECONDS_PER_MINUTE, synthLocalAssembly } from '../../../local/localAssembly.js';
import { waitFor } from '../../../local/net.js';
import { startLocalRuntime, type LocalRuntime } from '../../../local/runtime.js';
import type { LocalQueue } from '../../../local/sqs-resources.js';
import { ApiClient } from '../../../scripts/e2e/client.js';
import { storySteps, type StorySteps } from '../../../scripts/e2e/steps.js';

/**
 * The waiting queue on the offline runtime, time-compressed: the real app (bundled Lambdas) with a
 * parking budget of 3 parks (1 + 2 + 4 s), waiting rounds of 1 s doubling up to 4 s, a 45-second
 * horizon, and the redrivers' `rate(1 minute)` schedules firing every second (the local scheduler).
 * Nobody touches a queue: the scheduled redriver does the work an operator would have done.
 */
const CONTEXT = {
  'parking.maxAttempts': 3,
  'waiting.firstDelaySeconds': 1,
  'waiting.maxDelaySeconds': 4,
  'waiting.horizonSeconds': 45,
  'waiting.redriveEveryMinutes': 1,
};
const PER_RATING_POINT = 100;
/** Generous ceilings on awaited conditions (parking 7 s, the horizon 45 s, a slow shared machine). */
const EVENTUAL_MS = 120_000;

let runtime: LocalRuntime;
let sqs: SQSClient;
let steps: StorySteps;
const logs: string[] = [];
const recentLogs = () => logs.filter((l) => /error|warn|waiting|redriv/i.test(l)).slice(-30).join('\n');

const queue = (logicalPrefix: string): LocalQueue => {
  const found = runtime.queues().filter((q) => q.key.split('/')[1]!.startsWith(logicalPrefix));
  expect(found.map((q) => q.key), logicalPrefix).toHaveLength(1);
  return found[0]!;
};
/** Messages in a queue: visible, in flight and delayed. */
const depth = async (q: LocalQueue): Promise<number> => {
  const names = ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] as const;
  const { Attributes = {} } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: q.url, AttributeNames: [...names] }));
  return names.reduce((sum, name) => sum + Number(Attributes[name] ?? 0), 0);
};
/** The rounds of the consumer's "sent to the waiting queue" log lines for the TaskSolved of `taskUid` (its reason names the task). */
const waitingRounds = (taskUid: string): number[] =>
  logs
    .filter((l) => l.includes('sent to the waiting queue') && l.includes(taskUid))
    .map((l) => Number(/"waitingRound":(\d+)/.exec(l)?.[1] ?? 0));

beforeAll(async () => {
  mkdirSync('.local/waiting-test', { recursive: true });
  const { outdir } = synthLocalAssembly({ outdir: '.local/waiting-test/cdk.out', context: CONTEXT });
  // Its own DynamoDB Local and SQS server: the stack's table and queue names are the other offline suites' too.
  runtime = await startLocalRuntime({
    assemblyDir: outdir,
    schedules: { secondsPerMinute: LOCAL_SCHEDULE_SECONDS_PER_MINUTE },
    log: (m) => logs.push(`[local] ${m}`),
    functionLog: (fn, line) => logs.push(`${fn}: ${line}`),
  });
  sqs = new SQSClient({ endpoint: runtime.services.sqs, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const endpoints = serviceUrls(runtime.endpoints);
  // Cold starts of the bundled functions on a busy shared machine: a generous ceiling per request.
  const api = new ApiClient(endpoints, { timeoutMs: 60_000 });
  steps = storySteps(api, { timeoutMs: EVENTUAL_MS, intervalMs: 200 });
}, 600_000);

afterAll(async () => {
  if (logs.length) writeFileSync('.local/waiting-test/run.log', `${logs.join('\n')}\n`);
  sqs?.destroy();
  await runtime?.stop();
});

describe('waiting queues on the offline runtime (time-compressed)', () => {
  it('has a scheduled redriver per event consumer and per deferred-calls construct', () => {
    // The outboxes' republisher schedules are the other scheduled rules (checked in test/infra).
    const schedules = runtime
      .assembly()
      .resources('AWS::Events::Rule')
      .filter((ref) => ref.resource.Properties?.ScheduleExpression && /WaitingRedriveSchedule/.test(ref.logicalId));
    const owners = schedules.map((ref) => ref.logicalId.replace(/WaitingRedriveSchedule.*$/, '')).sort();
    expect(owners).toEqual(['BonusFromHiring', 'BonusFromTasks', 'HiringCalls', 'HiringFromTasks', 'TasksCalls', 'TasksFromHiring']);
  });

  it(
    'credits a TaskSolved whose rating arrives long after the parking budget, with no human action; one that never gets its rating reaches the DLQ only after the horizon',
    async () => {
      // Two tasks of one manager, each solved by its own candidate before it has a rating.
      const managerUid = await steps.createManager('Ada');
      const rated = await steps.createTask(managerUid, 'Rated late');
      const neverRated = await steps.createTask(managerUid, 'Never rated');
      const [first, second] = [await steps.createCandidate('Grace'), await steps.createCandidate('Alan')];
      await steps.assign(rated, first);
      await steps.assign(neverRated, second);
      const solvedAt = Date.now();
      await steps.solve(rated, first);
      await steps.solve(neverRated, second);

      // The parking budget runs out (3 parks, ~7 s): both TaskSolved wait in bonus's waiting queue, not its DLQ.
      const waitingQueue = queue('BonusFromHiringWaitingQueue');
      const deadLetterQueue = queue('BonusFromHiringDeadLetterQueue');
      await waitFor(async () => (await depth(waitingQueue)) === 2, { timeoutMs: EVENTUAL_MS, intervalMs: 250, what: `both TaskSolved in the waiting queue\n${recentLogs()}` });
      expect(Date.now() - solvedAt).toBeGreaterThanOrEqual(7_000);
      expect(await depth(deadLetterQueue)).toBe(0);

      // Long after the budget: the redriver has brought them back and they went back to waiting, round after round.
      await waitFor(() => Math.max(0, ...waitingRounds(rated)) >= 3, { timeoutMs: EVENTUAL_MS, intervalMs: 250, what: `a third waiting round\n${recentLogs()}` });
      expect((await steps.balance(managerUid).catch(() => undefined))?.entries ?? 0).toBe(0);

      const rating = await steps.rate(rated, 4);
      const balance = await steps.awaitBalance(managerUid, (b) => b.entries === 1, 'the late-rated credit');
      expect(balance.balance).toBe(4 * PER_RATING_POINT);
      const [entry] = await steps.ledger(managerUid);
      expect(entry).toMatchObject({ task_uid: rated, candidate_uid: first, rating: rating.rating, amount: 400 });

      // The other one never gets its rating: the redriver gives up after the horizon, into the DLQ, with the reason.
      const dead = await waitFor(
        async () => {
          const { Messages = [] } = await sqs.send(
            new ReceiveMessageCommand({ QueueUrl: deadLetterQueue.url, WaitTimeSeconds: 1, VisibilityTimeout: 0, MessageAttributeNames: ['All'] }),
          );
          return Messages[0];
        },
        { timeoutMs: EVENTUAL_MS, intervalMs: 250, what: `the unrated TaskSolved in the DLQ\n${recentLogs()}` },
      );
      const attr = (m: Message, name: string) => m.MessageAttributes?.[name]?.StringValue;
      expect(JSON.parse(dead.Body!).detail.payload.task_uid).toBe(neverRated);
      expect(attr(dead, 'failure-kind')).toBe('prerequisite-missing');
      expect(attr(dead, 'failure-reason')).toMatch(new RegExp(`rating of task ${neverRated}.*past the .* horizon`));
      expect(Date.now() - solvedAt).toBeGreaterThanOrEqual(45_000);
      // The redriver sends to the DLQ before it deletes from the waiting queue: awaited, not sampled.
      await waitFor(async () => (await depth(waitingQueue)) === 0, { timeoutMs: EVENTUAL_MS, intervalMs: 250, what: 'the waiting queue to drain' });
      expect((await steps.balance(managerUid)).entries).toBe(1);
    },
    EVENTUAL_MS * 3,
  );
});
