import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
});

import { metrics } from '../../../lambdas/shared/observability.js';
import {
  createConsumer,
  lastWriteWinsPut,
  PoisonError,
  PrerequisiteMissingError,
  type ConsumerHandlers,
} from '../../../lambdas/shared/messaging/index.js';
import { awsError, managerUpdated, sqsRecord, taskSolved, transactionCanceled } from './factories.js';

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' }));
const sqs = new SQSClient({ region: 'eu-west-1' });
const docMock = mockClient(doc);
const sqsMock = mockClient(sqs);

const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/111111111111/bonus-queue';
const DLQ_URL = 'https://sqs.eu-west-1.amazonaws.com/111111111111/bonus-dlq';
const TABLE = 'bonus-table';

const credit = (event: { event_id: string }) => ({
  Update: {
    TableName: TABLE,
    Key: { pk: 'BALANCE#m', sk: 'BALANCE' },
    UpdateExpression: 'ADD amount :a',
    ExpressionAttributeValues: { ':a': 100, ':e': event.event_id },
  },
});

function consumerWith(handlers: ConsumerHandlers, parking = { maxAttempts: 3, baseDelaySeconds: 30 }) {
  return createConsumer({
    consumer: 'bonus',
    handlers,
    parking,
    // Throttling is retried in process first: a short budget keeps those tests quick.
    retry: { baseDelayMs: 1, maxDelayMs: 4, budgetWithoutContextMs: 100 },
    tableName: TABLE,
    queueUrl: QUEUE_URL,
    deadLetterQueueUrl: DLQ_URL,
    clients: { doc, sqs },
  });
}

const sends = () => sqsMock.commandCalls(SendMessageCommand).map((call) => call.args[0].input);
const metricCalls = (spy: ReturnType<typeof vi.spyOn>) => spy.mock.calls.map((args: unknown[]) => args[0]);

let addMetric: ReturnType<typeof vi.spyOn>;
beforeEach(() => {
  docMock.reset();
  sqsMock.reset();
  sqsMock.on(SendMessageCommand).resolves({ MessageId: 'm' });
  docMock.on(TransactWriteCommand).resolves({});
  vi.restoreAllMocks();
  addMetric = vi.spyOn(metrics, 'addMetric');
  vi.spyOn(metrics, 'publishStoredMetrics').mockReturnValue(metrics);
});

describe('createConsumer: the happy path', () => {
  it('writes the effect and the processed marker in ONE transaction', async () => {
    const event = taskSolved();
    const handler = consumerWith({ TaskSolved: { '0': async (e) => [credit(e)] } });
    const response = await handler({ Records: [sqsRecord(event)] });
    expect(response.batchItemFailures).toEqual([]);
    const calls = docMock.commandCalls(TransactWriteCommand);
    expect(calls).toHaveLength(1);
    const items = calls[0]!.args[0].input.TransactItems!;
    expect(items[0]).toEqual(credit(event));
    expect(items[1]!.Put).toMatchObject({
      TableName: TABLE,
      Item: { pk: `PROCESSED#bonus#${event.event_id}`, sk: 'PROCESSED', event_name: 'TaskSolved', event_version: '0' },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    const ttl = items[1]!.Put!.Item!.expires_at as number;
    expect(ttl - Date.now() / 1000).toBeGreaterThan(29 * 24 * 3600);
    expect(metricCalls(addMetric)).toEqual(['EventsConsumed']);
  });

  it('hands the typed event and context to the handler of its name and version', async () => {
    const event = taskSolved();
    const seen = vi.fn(async () => undefined);
    const handler = consumerWith({ TaskSolved: { '0': seen } });
    await handler({ Records: [sqsRecord(event, { parkedAttempt: 2, receiveCount: 3 })] });
    expect(seen).toHaveBeenCalledWith(event, expect.objectContaining({ consumer: 'bonus', tableName: TABLE, parkedAttempt: 2, receiveCount: 3 }));
  });

  it('writes nothing (not even the marker) when the handler returns no effect', async () => {
    const handler = consumerWith({ TaskSolved: { '0': async () => undefined } });
    const response = await handler({ Records: [sqsRecord(taskSolved())] });
    expect(response.batchItemFailures).toEqual([]);
    expect(docMock.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });
});

describe('createConsumer: duplicates and stale updates', () => {
  it('counts a ConditionalCheckFailed on the marker as a duplicate, not a failure', async () => {
    docMock.on(TransactWriteCommand).rejects(transactionCanceled(['None', 'ConditionalCheckFailed']));
    const handler = consumerWith({ TaskSolved: { '0': async (e) => [credit(e)] } });
    const response = await handler({ Records: [sqsRecord(taskSolved())] });
    expect(response.batchItemFailures).toEqual([]);
    expect(metricCalls(addMetric)).toEqual(['EventsDuplicate']);
    expect(sends()).toEqual([]);
  });

  it('ignores a stale last-write-wins update but still marks the event processed', async () => {
    const event = managerUpdated(3);
    docMock
      .on(TransactWriteCommand)
      .rejectsOnce(transactionCanceled(['ConditionalCheckFailed', 'None']))
      .resolves({});
    const handler = consumerWith({
      ManagerUpdated: {
        '1': async (e, ctx) => [lastWriteWinsPut({ tableName: ctx.tableName, item: { pk: `MANAGER#${e.payload.manager_uid}`, sk: 'MANAGER', version: e.payload.version } })],
      },
    });
    const response = await handler({ Records: [sqsRecord(event)] });
    expect(response.batchItemFailures).toEqual([]);
    const calls = docMock.commandCalls(TransactWriteCommand);
    expect(calls).toHaveLength(2);
    expect(calls[1]!.args[0].input.TransactItems).toEqual([
      expect.objectContaining({ Put: expect.objectContaining({ Item: expect.objectContaining({ pk: `PROCESSED#bonus#${event.event_id}` }) }) }),
    ]);
    expect(metricCalls(addMetric)).toEqual(['EventsConsumed', 'EventsStale']);
  });

  it('sends a ConditionalCheckFailed on an ordinary effect item to the DLQ (the handler\'s own rule said no)', async () => {
    docMock.on(TransactWriteCommand).rejects(transactionCanceled(['ConditionalCheckFailed', 'None']));
    const handler = consumerWith({ TaskSolved: { '0': async (e) => [credit(e)] } });
    const response = await handler({ Records: [sqsRecord(taskSolved())] });
    expect(response.batchItemFailures).toEqual([]);
    expect(sends()[0]).toMatchObject({ QueueUrl: DLQ_URL, MessageAttributes: { 'failure-kind': { StringValue: 'poison' } } });
  });
});

describe('createConsumer: poison messages go to the DLQ at once', () => {
  const cases: [string, () => ReturnType<typeof sqsRecord>, string][] = [
    ['unparsable JSON', () => sqsRecord('{not json'), 'MalformedMessageError'],
    ['an EventBridge event without detail', () => sqsRecord(JSON.stringify({ source: 'x' })), 'MalformedMessageError'],
    ['a schema-invalid event', () => sqsRecord({ ...taskSolved(), payload: { task_uid: 'nope' } }), 'EventValidationError'],
    ['an unknown version', () => sqsRecord({ ...taskSolved(), event_version: '9' }), 'UnknownEventError'],
    ['a known event the consumer has no handler for', () => sqsRecord(managerUpdated(1)), 'UnsupportedEventError'],
  ];
  it.each(cases)('%s', async (_, makeRecord, errorName) => {
    const handler = consumerWith({ TaskSolved: { '0': async (e) => [credit(e)] } });
    const record = makeRecord();
    const response = await handler({ Records: [record] });
    expect(response.batchItemFailures).toEqual([]);
    expect(docMock.commandCalls(TransactWriteCommand)).toHaveLength(0);
    const [sent] = sends();
    expect(sent).toMatchObject({
      QueueUrl: DLQ_URL,
      MessageBody: record.body,
      MessageAttributes: {
        'failure-kind': { DataType: 'String', StringValue: 'poison' },
        'failure-reason': { DataType: 'String', StringValue: expect.stringContaining(errorName) },
        'failed-at': { DataType: 'String', StringValue: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
        'source-queue': { DataType: 'String', StringValue: record.eventSourceARN },
      },
    });
    expect(metricCalls(addMetric)).toEqual(['EventsDeadLettered']);
  });

  it('treats PoisonError, TypeError and AWS validation errors from a handler as poison', async () => {
    const errors = [new PoisonError('negative amount'), new TypeError("Cannot read properties of undefined (reading 'x')"), awsError('ValidationException')];
    for (const error of errors) {
      sqsMock.resetHistory();
      const handler = consumerWith({ TaskSolved: { '0': async () => { throw error; } } });
      const response = await handler({ Records: [sqsRecord(taskSolved())] });
      expect(response.batchItemFailures).toEqual([]);
      expect(sends()[0]?.MessageAttributes?.['failure-reason']?.StringValue).toContain(error.message);
    }
  });

  it('truncates a long reason', async () => {
    const handler = consumerWith({ TaskSolved: { '0': async () => { throw new PoisonError('x'.repeat(5000)); } } });
    await handler({ Records: [sqsRecord(taskSolved())] });
    expect(sends()[0]!.MessageAttributes!['failure-reason']!.StringValue!.length).toBe(1000);
  });

  it('reports a batch item failure when the DLQ send itself fails (never lose the message)', async () => {
    sqsMock.on(SendMessageCommand).rejects(awsError('InternalError', 'server'));
    const handler = consumerWith({ TaskSolved: { '0': async () => [] } });
    const record = sqsRecord('garbage');
    const response = await handler({ Records: [record] });
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
  });
});

describe('createConsumer: a missing prerequisite parks the message', () => {
  const missing = consumerWith({ TaskSolved: { '0': async () => { throw new PrerequisiteMissingError('manager unknown'); } } }, { maxAttempts: 3, baseDelaySeconds: 30 });

  it('re-sends the same body to its own queue with a growing delay and parked-attempt + 1', async () => {
    const event = taskSolved();
    const delays: number[] = [];
    for (let previous = 0; previous < 3; previous += 1) {
      sqsMock.resetHistory();
      const record = sqsRecord(event, { parkedAttempt: previous || undefined });
      const response = await missing({ Records: [record] });
      expect(response.batchItemFailures).toEqual([]);
      const [sent] = sends();
      expect(sent).toMatchObject({
        QueueUrl: QUEUE_URL,
        MessageBody: record.body,
        MessageAttributes: { 'parked-attempt': { DataType: 'Number', StringValue: String(previous + 1) } },
      });
      delays.push(sent!.DelaySeconds!);
    }
    expect(delays).toEqual([30, 60, 120]);
    expect(metricCalls(addMetric)).toEqual(['EventsParked', 'EventsParked', 'EventsParked']);
  });

  it('caps the delay at 900 s', async () => {
    const handler = consumerWith({ TaskSolved: { '0': async () => { throw new PrerequisiteMissingError('x'); } } }, { maxAttempts: 10, baseDelaySeconds: 30 });
    await handler({ Records: [sqsRecord(taskSolved(), { parkedAttempt: 7 })] });
    expect(sends()[0]!.DelaySeconds).toBe(900);
  });

  it('sends it to the DLQ with the reason once the budget is spent', async () => {
    const record = sqsRecord(taskSolved(), { parkedAttempt: 3 });
    const response = await missing({ Records: [record] });
    expect(response.batchItemFailures).toEqual([]);
    const [sent] = sends();
    expect(sent).toMatchObject({
      QueueUrl: DLQ_URL,
      MessageBody: record.body,
      MessageAttributes: {
        'failure-kind': { StringValue: 'prerequisite-missing' },
        'failure-reason': { StringValue: expect.stringMatching(/manager unknown.*3 parked retries/) },
      },
    });
    expect(sent!.MessageAttributes!['parked-attempt']).toBeUndefined();
    expect(metricCalls(addMetric)).toEqual(['EventsDeadLettered']);
  });

  it('reports a batch item failure when parking fails', async () => {
    sqsMock.on(SendMessageCommand).rejects(awsError('ThrottlingException'));
    const record = sqsRecord(taskSolved());
    const response = await missing({ Records: [record] });
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
  });
});

describe('createConsumer: transient failures are retried by SQS', () => {
  it('reports only the failing records; the others of the batch succeed', async () => {
    const failing = taskSolved();
    let first = true;
    docMock.on(TransactWriteCommand).callsFake((input: { TransactItems: { Put?: { Item?: Record<string, unknown> } }[] }) => {
      const marker = input.TransactItems.at(-1)!.Put!.Item!.pk as string;
      if (marker.endsWith(failing.event_id) && first) {
        first = false;
        throw awsError('InternalServerError', 'server');
      }
      return {};
    });
    const handler = consumerWith({ TaskSolved: { '0': async (e) => [credit(e)] } });
    const records = [sqsRecord(taskSolved()), sqsRecord(failing), sqsRecord(taskSolved())];
    const response = await handler({ Records: records });
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: records[1]!.messageId }]);
    expect(sends()).toEqual([]);
  });

  it.each([
    ['throttling', awsError('ProvisionedThroughputExceededException')],
    ['a 5xx', awsError('InternalServerError', 'server')],
    ['a network error', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
    ['an unknown error', new Error('something odd')],
  ])('%s', async (_, error) => {
    docMock.on(TransactWriteCommand).rejects(error);
    const handler = consumerWith({ TaskSolved: { '0': async (e) => [credit(e)] } });
    const record = sqsRecord(taskSolved());
    const response = await handler({ Records: [record] });
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
    expect(sends()).toEqual([]);
  });
});

describe('createConsumer: configuration', () => {
  it('reads table, queues and parking budget from the environment the construct sets', async () => {
    vi.stubEnv('TABLE_NAME', 'env-table');
    vi.stubEnv('QUEUE_URL', 'env-queue');
    vi.stubEnv('DEAD_LETTER_QUEUE_URL', 'env-dlq');
    vi.stubEnv('PARK_MAX_ATTEMPTS', '1');
    vi.stubEnv('PARK_BASE_DELAY_SECONDS', '2');
    try {
      const handler = createConsumer({
        consumer: 'bonus',
        clients: { doc, sqs },
        handlers: { TaskSolved: { '0': async () => { throw new PrerequisiteMissingError('later'); } } },
      });
      await handler({ Records: [sqsRecord(taskSolved())] });
      expect(sends()[0]).toMatchObject({ QueueUrl: 'env-queue', DelaySeconds: 2 });
      await handler({ Records: [sqsRecord(taskSolved(), { parkedAttempt: 1 })] });
      expect(sends()[1]).toMatchObject({ QueueUrl: 'env-dlq' });
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
