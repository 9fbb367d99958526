import { randomUUID } from 'node:crypto';
import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import { DeleteCommand, GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSRecord } from 'aws-lambda';
import { expect } from 'vitest';
import { createBonusApi } from '../../../../lambdas/bonus/createBonusApi.js';
import { createBonusConsumer } from '../../../../lambdas/bonus/createBonusConsumer.js';
import { ROUTES as BONUS_ROUTES } from '../../../../lambdas/bonus/routes.js';
import { createHiringApi } from '../../../../lambdas/hiring/createHiringApi.js';
import { createHiringConsumer } from '../../../../lambdas/hiring/createHiringConsumer.js';
import { ROUTES as HIRING_ROUTES } from '../../../../lambdas/hiring/routes.js';
import { deliverCall, type PendingCallRecord } from '../../../../lambdas/shared/calls/index.js';
import { eventSource } from '../../../../lambdas/shared/messaging/constants.js';
import { consumedEvents, hiringRoutes, tasksLegacyRoutes } from '../../../../lambdas/shared/migrations/plan.js';
import type { MigrationSteps } from '../../../../lambdas/shared/migrations/steps.js';
import type { ServiceName } from '../../../../lambdas/shared/registry/index.js';
import { createTasksApi } from '../../../../lambdas/tasks/createTasksApi.js';
import { createTasksConsumer } from '../../../../lambdas/tasks/createTasksConsumer.js';
import { ROUTES as TASKS_ROUTES } from '../../../../lambdas/tasks/routes.js';
import { localClients, uniqueName } from '../../../support/aws.js';
import { apiEvent, parseAnswer, type ApiAnswer, type ApiRequest } from '../../support/apiEvent.js';
import { baseUrlOf, FakeNetwork } from '../../support/network.js';
import { createServiceTable } from '../../support/serviceTable.js';
import type { LooseJson, LooseJsonObject } from '../../../../local/looseJson.js';

/** An event as the outbox row carries it. */
export interface Envelope {
  event_id: string;
  event_name: string;
  event_version: string;
  producer: ServiceName;
  produced_at: string;
  payload: LooseJsonObject;
}

type ConsumerName = keyof ReturnType<typeof consumedEvents>;
const CONSUMER_SERVICE: Record<ConsumerName, { service: ServiceName; producer: ServiceName }> = {
  hiringFromTasks: { service: 'hiring', producer: 'tasks' },
  bonusFromTasks: { service: 'bonus', producer: 'tasks' },
  bonusFromHiring: { service: 'bonus', producer: 'hiring' },
  tasksFromHiring: { service: 'tasks', producer: 'hiring' },
};

const CALL_RETRY = { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1, totalTimeoutMs: 5_000 };

/**
 * The three services in process over DynamoDB Local, deployable step by step: `deploy(steps)`
 * swaps every handler for the code of that step (as `cdk deploy` swaps the Lambdas) and keeps the
 * tables and the queued messages. Events: the outbox rows are published to the rules of the step
 * at publish time (`publish`), wait in per-consumer queues, and are consumed by the code deployed
 * at delivery time (`deliver`), so messages can be left in flight across a step boundary.
 * Sync calls go over the fake network (SigV4 checked) to the routes of the current step.
 */
export async function createMigrationWorld(initial: MigrationSteps) {
  const { dynamodb, doc, sqs } = localClients();
  const tables = { tasks: uniqueName('mig-tasks'), hiring: uniqueName('mig-hiring'), bonus: uniqueName('mig-bonus') } satisfies Record<ServiceName, string>;
  await Promise.all(Object.values(tables).map((t) => createServiceTable(dynamodb, t)));
  const queueUrls = Object.fromEntries(
    await Promise.all(
      (['tasks', 'hiring', 'bonus'] as const).map(async (s) => {
        const name = uniqueName(`mig-${s}`);
        const [q, d] = await Promise.all([sqs.send(new CreateQueueCommand({ QueueName: name })), sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }))]);
        return [s, { queueUrl: q.QueueUrl!, deadLetterQueueUrl: d.QueueUrl! }];
      }),
    ),
  ) as Record<ServiceName, { queueUrl: string; deadLetterQueueUrl: string }>;

  let steps = initial;
  const published = new Set<string>();
  const queues: Record<ConsumerName, Envelope[]> = { hiringFromTasks: [], bonusFromTasks: [], bonusFromHiring: [], tasksFromHiring: [] };
  const applied: Array<{ consumer: ConsumerName; envelope: Envelope; failures: number }> = [];
  let network: FakeNetwork;
  let apis: Record<ServiceName, ReturnType<typeof createHiringApi>>;
  let consumers: Record<ServiceName, ReturnType<typeof createHiringConsumer>>;

  function deploy(next: MigrationSteps): void {
    steps = next;
    const parking = { baseDelaySeconds: 0, maxAttempts: 3 };
    const deps = (s: ServiceName) => ({ clients: { doc, sqs }, tableName: tables[s], ...queueUrls[s], parking, steps });
    apis = {
      tasks: createTasksApi({ doc, tableName: tables.tasks, hiringApiUrl: baseUrlOf('hiring'), callRetry: CALL_RETRY, steps }),
      hiring: createHiringApi({ doc, tableName: tables.hiring, bonusApiUrl: baseUrlOf('bonus'), tasksApiUrl: baseUrlOf('tasks'), callRetry: CALL_RETRY, steps }),
      bonus: createBonusApi({ doc, tableName: tables.bonus }),
    };
    consumers = {
      tasks: createTasksConsumer(deps('tasks')),
      hiring: createHiringConsumer(deps('hiring')),
      bonus: createBonusConsumer({ ...deps('bonus'), perRatingPoint: 100, tasksApiUrl: baseUrlOf('tasks') }),
    };
    network = new FakeNetwork()
      .mount('tasks', apis.tasks, [...TASKS_ROUTES, ...tasksLegacyRoutes(steps)])
      .mount('hiring', apis.hiring, hiringRoutes(HIRING_ROUTES, steps))
      .mount('bonus', apis.bonus, BONUS_ROUTES)
      .install();
  }
  deploy(initial);

  async function call<T = LooseJson>(service: ServiceName, request: ApiRequest): Promise<ApiAnswer<T>> {
    return parseAnswer<T>(await apis[service](apiEvent(request)));
  }

  /** Outbox rows not published yet -> the queues whose rules (at the current step) match them. */
  async function publish(): Promise<Envelope[]> {
    const fresh: Envelope[] = [];
    for (const producer of ['tasks', 'hiring'] as const) {
      const { Items = [] } = await doc.send(
        new ScanCommand({ TableName: tables[producer], ConsistentRead: true, FilterExpression: 'item_type = :o', ExpressionAttributeValues: { ':o': 'outbox' } }),
      );
      for (const row of Items) {
        const envelope = (typeof row.event === 'string' ? JSON.parse(row.event) : row.event) as Envelope;
        if (published.has(envelope.event_id)) continue;
        published.add(envelope.event_id);
        fresh.push(envelope);
      }
    }
    fresh.sort((a, b) => a.produced_at.localeCompare(b.produced_at));
    const rules = consumedEvents(steps);
    for (const envelope of fresh) {
      for (const [name, events] of Object.entries(rules) as Array<[ConsumerName, Array<{ name: string; versions: readonly string[] }>]>) {
        if (CONSUMER_SERVICE[name].producer !== envelope.producer) continue;
        if (events.some((e) => e.name === envelope.event_name && e.versions.includes(envelope.event_version))) queues[name].push(envelope);
      }
    }
    return fresh;
  }

  /** Feeds every queued message to the consumer code deployed now; each must be consumed (no failure). */
  async function deliver(options: { expectFailures?: boolean } = {}): Promise<number> {
    let count = 0;
    for (const name of Object.keys(queues) as ConsumerName[]) {
      const service = CONSUMER_SERVICE[name].service;
      while (queues[name].length > 0) {
        const envelope = queues[name].shift()!;
        const result = await consumers[service]({ Records: [sqsRecord(envelope)] });
        applied.push({ consumer: name, envelope, failures: result.batchItemFailures.length });
        if (!options.expectFailures) expect(result.batchItemFailures, `${name} failed ${envelope.event_name} v${envelope.event_version}`).toEqual([]);
        count += 1;
      }
    }
    return count;
  }

  /** Messages waiting in the queues (what `aws sqs get-queue-attributes ... ApproximateNumberOfMessages` shows). */
  const depth = (name?: ConsumerName) => (name ? queues[name].length : Object.values(queues).reduce((n, q) => n + q.length, 0));

  async function pendingCalls(service: ServiceName): Promise<PendingCallRecord[]> {
    const { Items = [] } = await doc.send(
      new ScanCommand({ TableName: tables[service], ConsistentRead: true, FilterExpression: 'item_type = :c AND #s = :p', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':c': 'call', ':p': 'pending' } }),
    );
    return Items as PendingCallRecord[];
  }

  /** What the deferred deliverer does for the rows still pending (the target was down). */
  async function deliverPendingCalls(service: ServiceName): Promise<void> {
    for (const call of await pendingCalls(service)) {
      await deliverCall(call, { doc, tableName: tables[service], baseUrls: { tasks: baseUrlOf('tasks'), hiring: baseUrlOf('hiring'), bonus: baseUrlOf('bonus') }, retry: CALL_RETRY });
    }
  }

  async function item(service: ServiceName, key: { pk: string; sk: string }) {
    return (await doc.send(new GetCommand({ TableName: tables[service], Key: key, ConsistentRead: true }))).Item;
  }
  async function deleteItem(service: ServiceName, key: { pk: string; sk: string }) {
    await doc.send(new DeleteCommand({ TableName: tables[service], Key: key }));
  }

  return {
    doc, tables, call, publish, deliver, depth, deploy, item, deleteItem, pendingCalls, deliverPendingCalls, applied, queues,
    get network() { return network; },
    get steps() { return steps; },
  };
}

export type MigrationWorld = Awaited<ReturnType<typeof createMigrationWorld>>;

function sqsRecord(envelope: Envelope): SQSRecord {
  const body = { version: '0', id: randomUUID(), 'detail-type': envelope.event_name, source: eventSource(envelope.producer), account: '000000000000', time: envelope.produced_at, region: 'us-east-1', resources: [], detail: envelope };
  return {
    messageId: randomUUID(),
    receiptHandle: randomUUID(),
    body: JSON.stringify(body),
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(Date.now()), SenderId: 'local', ApproximateFirstReceiveTimestamp: String(Date.now()) },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:migration-world',
    awsRegion: 'us-east-1',
  };
}
