import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createBonusApi } from '../../../lambdas/bonus/createBonusApi.js';
import { createBonusConsumer } from '../../../lambdas/bonus/createBonusConsumer.js';
import { ROUTES as BONUS_ROUTES } from '../../../lambdas/bonus/routes.js';
import { createHiringApi } from '../../../lambdas/hiring/createHiringApi.js';
import { createHiringConsumer } from '../../../lambdas/hiring/createHiringConsumer.js';
import { ROUTES as HIRING_ROUTES } from '../../../lambdas/hiring/routes.js';
import { pendingCallKey, type PendingCallRecord } from '../../../lambdas/shared/calls/index.js';
import type { RetryOptions } from '../../../lambdas/shared/http/index.js';
import type { ParkingOptions } from '../../../lambdas/shared/messaging/index.js';
import type { ServiceName } from '../../../lambdas/shared/registry/index.js';
import { createTasksApi } from '../../../lambdas/tasks/createTasksApi.js';
import { createTasksConsumer } from '../../../lambdas/tasks/createTasksConsumer.js';
import { ROUTES as TASKS_ROUTES } from '../../../lambdas/tasks/routes.js';
import { localClients, uniqueName } from '../../support/aws.js';
import { apiEvent, parseAnswer, type ApiAnswer, type ApiRequest } from './apiEvent.js';
import { InProcessBus, type ConsumerEndpoint } from './bus.js';
import { baseUrlOf, FakeNetwork } from './network.js';
import { createServiceTable } from './serviceTable.js';
import type { LooseJson } from '../../../local/looseJson.js';

export interface WorldOptions {
  /** Bonus per rating point in minor units (CDK context `bonus.perRatingPoint`). @default 100 */
  readonly perRatingPoint?: number;
  /** Parking of the consumers; keep the base delay at 0-1 s in tests. @default {baseDelaySeconds: 1, maxAttempts: 3} */
  readonly parking?: ParkingOptions;
}

/** Immediate sync calls: short, so a service that is down costs milliseconds. */
const CALL_RETRY: RetryOptions = { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 20, totalTimeoutMs: 10_000 };
const CALL_TIMEOUT_MS = 5_000;

const SERVICES: readonly ServiceName[] = ['tasks', 'hiring', 'bonus'];

/**
 * The three services wired in process with their real code over DynamoDB Local and the SQS
 * server: each its own table, API handler and consumer (with its queue and DLQ); the sync calls
 * go over the {@link FakeNetwork} (global `fetch`, SigV4 checked), the events over the
 * {@link InProcessBus}. Needs AWS_REGION / AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY set (signing).
 */
export async function createWorld(options: WorldOptions = {}) {
  const { dynamodb, doc, sqs } = localClients();
  const tables = {
    tasks: uniqueName('money-tasks'),
    hiring: uniqueName('money-hiring'),
    bonus: uniqueName('money-bonus'),
  } satisfies Record<ServiceName, string>;
  await Promise.all(Object.values(tables).map((tableName) => createServiceTable(dynamodb, tableName)));

  const queues = Object.fromEntries(
    await Promise.all(
      SERVICES.map(async (service) => {
        const name = uniqueName(`money-${service}`);
        const [queue, dlq] = await Promise.all([
          sqs.send(new CreateQueueCommand({ QueueName: name })),
          sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` })),
        ]);
        return [service, { queueUrl: queue.QueueUrl!, queueArn: `arn:aws:sqs:us-east-1:000000000000:${name}`, deadLetterQueueUrl: dlq.QueueUrl! }];
      }),
    ),
  ) as Record<ServiceName, Omit<ConsumerEndpoint, 'handler'>>;

  const apis = {
    tasks: createTasksApi({ doc, tableName: tables.tasks, hiringApiUrl: baseUrlOf('hiring'), callRetry: CALL_RETRY, callTimeoutMs: CALL_TIMEOUT_MS }),
    hiring: createHiringApi({ doc, tableName: tables.hiring, bonusApiUrl: baseUrlOf('bonus'), callRetry: CALL_RETRY, callTimeoutMs: CALL_TIMEOUT_MS }),
    bonus: createBonusApi({ doc, tableName: tables.bonus }),
  };
  const network = new FakeNetwork()
    .mount('tasks', apis.tasks, TASKS_ROUTES)
    .mount('hiring', apis.hiring, HIRING_ROUTES)
    .mount('bonus', apis.bonus, BONUS_ROUTES)
    .install();

  const parking = options.parking ?? { baseDelaySeconds: 1, maxAttempts: 3 };
  const consumerDeps = (service: ServiceName) => ({
    clients: { doc, sqs },
    tableName: tables[service],
    queueUrl: queues[service].queueUrl,
    deadLetterQueueUrl: queues[service].deadLetterQueueUrl,
    parking,
  });
  const bus = new InProcessBus({
    doc,
    sqs,
    producers: { tasks: tables.tasks, hiring: tables.hiring },
    consumers: {
      tasks: { ...queues.tasks, handler: createTasksConsumer(consumerDeps('tasks')) },
      hiring: { ...queues.hiring, handler: createHiringConsumer(consumerDeps('hiring')) },
      bonus: { ...queues.bonus, handler: createBonusConsumer({ ...consumerDeps('bonus'), perRatingPoint: options.perRatingPoint ?? 100 }) },
    },
  });

  /** A request to `service`'s API as API Gateway would hand it to the Lambda. */
  async function call<T = LooseJson>(service: ServiceName, request: ApiRequest): Promise<ApiAnswer<T>> {
    return parseAnswer<T>(await apis[service](apiEvent(request)));
  }

  /** The pending-call rows (the sync calls' outbox) of `service`'s table. */
  async function pendingCalls(service: ServiceName): Promise<PendingCallRecord[]> {
    const { Items = [] } = await doc.send(
      new ScanCommand({ TableName: tables[service], ConsistentRead: true, FilterExpression: 'item_type = :call', ExpressionAttributeValues: { ':call': 'call' } }),
    );
    return Items as PendingCallRecord[];
  }

  async function pendingCall(service: ServiceName, callId: string): Promise<PendingCallRecord | undefined> {
    const { Item } = await doc.send(new GetCommand({ TableName: tables[service], Key: pendingCallKey(callId), ConsistentRead: true }));
    return Item as PendingCallRecord | undefined;
  }

  return { doc, sqs, tables, queues, apis, network, bus, call, pendingCalls, pendingCall };
}

export type World = Awaited<ReturnType<typeof createWorld>>;
