import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { bonusKeys } from '../../lambdas/bonus/keys.js';
import { constructId } from '../../local/assembly.js';
import { ServiceProxy, type ProxyProtocol } from '../../local/service-proxy.js';
import { waitFor } from '../../local/net.js';
import { serviceUrls } from '../../local/endpointsFile.js';
import { startLocalRuntime, type LocalRuntime } from '../../local/runtime.js';
import { startSqsServer } from '../../local/sqs-server.js';
import { ApiClient } from '../e2e/client.js';
import { storySteps } from '../e2e/steps.js';
import { RequestCounter } from './requestCounter.js';

/** DynamoDB Streams reads Lambda's pollers make on their own schedule (free of request charges on AWS). */
const STREAM_POLLING = new Set(['GetRecords', 'GetShardIterator', 'DescribeStream', 'ListStreams']);

export interface EndToEndCost {
  /** Per service: requests by operation that ONE TaskSolved caused, solve -> credited -> quiet. */
  dynamodb: RequestCounter;
  sqs: RequestCounter;
  eventbridge: RequestCounter;
  /** Invocations by function (construct id). */
  lambda: RequestCounter;
  /** Stream reads by the pollers in the same window (idle polling included; not charged on AWS). */
  streamPolls: number;
  /** How many solutions were measured, and whether every one cost the same. */
  solutions: number;
  identical: boolean;
}

/**
 * What one `TaskSolved` costs end to end on the offline runtime (synthesized app, real handlers):
 * every request to DynamoDB Local, the SQS server and the EventBridge emulator goes through a
 * counting proxy, every Lambda invocation is counted by the runtime's invocation hook, and every
 * batch an SQS event source hands to a function by its delivery hook. For each of `solutions`
 * solutions (task rated and assigned beforehand, system quiet), counters are reset, the solution
 * is posted, the credit is awaited on DynamoDB directly (not through the API, which would count),
 * then the runtime is awaited quiet again.
 *
 * SQS `ReceiveMessage` is counted as the receives that returned the message (event source
 * batches): the local pollers' idle long polls say nothing about one event.
 */
export async function measureEndToEndCost(options: { assemblyDir: string; dynamodbEndpoint: string; solutions: number }): Promise<EndToEndCost> {
  const counters = { dynamodb: new RequestCounter(), sqs: new RequestCounter(), eventbridge: new RequestCounter(), lambda: new RequestCounter() };
  let streamPolls = 0;
  const counting = (protocol: ProxyProtocol, target: string) =>
    ServiceProxy.start({
      protocol,
      target,
      decide: ({ operation }) => {
        if (protocol === 'dynamodb' && STREAM_POLLING.has(operation)) streamPolls += 1;
        else if (!(protocol === 'sqs' && operation === 'ReceiveMessage')) counters[protocol as 'dynamodb' | 'sqs' | 'eventbridge'].add(operation);
        return undefined;
      },
    });
  const sqsServer = await startSqsServer();
  const proxies: ServiceProxy[] = [];
  let runtime: LocalRuntime | undefined;
  try {
    const dynamodbProxy = await counting('dynamodb', options.dynamodbEndpoint);
    const sqsProxy = await counting('sqs', sqsServer.endpoint);
    proxies.push(dynamodbProxy, sqsProxy);
    runtime = await startLocalRuntime({
      assemblyDir: options.assemblyDir,
      services: { dynamodbEndpoint: dynamodbProxy.endpoint, sqsEndpoint: sqsProxy.endpoint },
      functionEndpoints: async (services) => {
        const eventbridge = await counting('eventbridge', services.eventbridge);
        proxies.push(eventbridge);
        return { eventbridge: eventbridge.endpoint };
      },
      invocationFault: (fn) => {
        counters.lambda.add(`${fn.key.split('/')[0]}/${constructId(fn.key.split('/')[1]!)}`);
        return undefined;
      },
      sqsDelivery: {
        plan: (_key, records) => {
          counters.sqs.add('ReceiveMessage');
          return [{ records }];
        },
      },
      log: () => undefined,
      functionLog: () => undefined,
    });
    const endpoints = serviceUrls(runtime.endpoints);
    const steps = storySteps(new ApiClient(endpoints), { timeoutMs: 120_000, intervalMs: 50 });
    const bonusTable = runtime
      .assembly()
      .resources(['AWS::DynamoDB::Table'])
      .map((ref) => ref.key)
      .find((key) => key.split('/')[1]!.startsWith('BonusTable'));
    if (!bonusTable) throw new Error('no BonusTable in the assembly');
    const tableName = runtime.tableName(bonusTable);
    const direct = new DynamoDBClient({ endpoint: options.dynamodbEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });

    const manager = await steps.createManager('Cost');
    const work: { task: string; candidate: string }[] = [];
    for (let i = 0; i < options.solutions; i += 1) {
      const task = await steps.createTask(manager, `Cost task ${i}`);
      const candidate = await steps.createCandidate(`Cost${i}`);
      await steps.assign(task, candidate);
      await steps.rate(task, 3);
      work.push({ task, candidate });
    }
    await steps.awaitBalance(manager, () => true, 'bonus to know the manager');

    const entries = async () => {
      const { Item } = await direct.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: bonusKeys.balance(manager).pk }, sk: { S: 'BALANCE' } }, ConsistentRead: true }));
      return Number(Item?.entries?.N ?? 0);
    };
    const quiet = async () => {
      let since: number | undefined;
      const active = runtime!;
      await waitFor(
        () => {
          const a = active.activity();
          if (a.invocations + a.sqsBatches + a.busyStreams > 0) since = undefined;
          else since ??= Date.now();
          // Longer than a batching window (1 s) and a stream poll.
          return since !== undefined && Date.now() - since > 2_500;
        },
        { timeoutMs: 120_000, intervalMs: 50, what: 'the runtime to be quiet' },
      );
    };

    const snapshots: string[] = [];
    let last: Omit<EndToEndCost, 'solutions' | 'identical'> | undefined;
    for (const [i, { task, candidate }] of work.entries()) {
      await quiet();
      for (const counter of Object.values(counters)) counter.reset();
      streamPolls = 0;
      await steps.solve(task, candidate);
      await waitFor(async () => (await entries()) >= i + 1, { timeoutMs: 120_000, intervalMs: 50, what: `credit ${i + 1}` });
      await quiet();
      last = { dynamodb: clone(counters.dynamodb), sqs: clone(counters.sqs), eventbridge: clone(counters.eventbridge), lambda: clone(counters.lambda), streamPolls };
      snapshots.push([last.dynamodb, last.sqs, last.eventbridge, last.lambda].map((c) => c.describe(1, 0)).join(' | '));
    }
    direct.destroy();
    return { ...last!, solutions: work.length, identical: new Set(snapshots).size === 1 };
  } finally {
    await runtime?.stop();
    for (const proxy of proxies) await proxy.stop();
    await sqsServer.stop();
  }
}

function clone(counter: RequestCounter): RequestCounter {
  const copy = new RequestCounter();
  for (const [command, n] of counter.byCommand) copy.add(command, n);
  return copy;
}
