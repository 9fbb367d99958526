import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { BatchWriteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DeliveryFailure } from '../../../local/eventbridge.js';
import { LambdaInvocationError } from '../../../local/lambda-runner.js';
import { waitFor } from '../../../local/net.js';
import { startLocalRuntime, type LocalRuntime } from '../../../local/runtime.js';
import { synthTestApp } from './test-app.js';
import type { LooseJsonObject } from '../../../local/looseJson.js';

const local = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } as const;

describe('local runtime over a synthesized CDK app', () => {
  const stackName = `LocalRt${randomUUID().slice(0, 6)}`;
  let assemblyDir: string;
  let runtime: LocalRuntime;
  let sqs: SQSClient;
  let logs: string[];

  /** Drains a queue into `into` (deleting what it reads) until `until(into)` holds. */
  async function drainUntil<T>(queueUrl: string, into: Message[], until: (messages: Message[]) => T | undefined | false, timeoutMs = 15_000): Promise<T> {
    return waitFor(
      async () => {
        const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, AttributeNames: ['All'], MessageAttributeNames: ['All'] }));
        for (const m of Messages) {
          into.push(m);
          await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
        }
        return until(into);
      },
      { timeoutMs, intervalMs: 10, what: `messages on ${queueUrl}` },
    );
  }
  const bodies = (messages: Message[]) => messages.map((m) => JSON.parse(m.Body ?? '{}') as LooseJsonObject);

  const results: Message[] = [];

  beforeAll(async () => {
    assemblyDir = synthTestApp(stackName);
    logs = [];
    runtime = await startLocalRuntime({
      assemblyDir,
      services: { dynamodbEndpoint: inject('dynamodbEndpoint'), sqsEndpoint: inject('sqsEndpoint') },
      log: (m) => logs.push(m),
      functionLog: (fn, line) => logs.push(`${fn}: ${line}`),
    });
    sqs = new SQSClient({ ...local, endpoint: runtime.services.sqs });
  });

  afterAll(async () => {
    await runtime?.stop();
    sqs?.destroy();
  });

  it('PutEvents -> rule -> queue -> Lambda: only failed ids are retried, then redriven to the DLQ', async () => {
    const events = new EventBridgeClient({ ...local, endpoint: runtime.services.eventbridge });
    const entry = (detail: object) => ({ Source: 'test.orders', DetailType: 'Order', Detail: JSON.stringify(detail), EventBusName: `${stackName}-bus` });
    const put = await events.send(
      new PutEventsCommand({ Entries: [entry({ id: 'a', kind: 'ok-1' }), entry({ id: 'b', kind: 'ok-2', fail: true }), entry({ id: 'c', kind: 'other' })] }),
    );
    expect(put.FailedEntryCount).toBe(0);
    expect(put.Entries?.every((e) => e.EventId)).toBe(true);

    const dlq: Message[] = [];
    await drainUntil(runtime.queueUrl('WorkDlq'), dlq, (m) => m.length >= 1, 20_000);
    const redriven = bodies(dlq)[0]!;
    expect(redriven).toMatchObject({ version: '0', source: 'test.orders', 'detail-type': 'Order', account: '000000000000', region: 'us-east-1', detail: { id: 'b' } });

    await drainUntil(runtime.queueUrl('Results'), results, (m) => bodies(m).filter((b) => b.via === 'consumer' && b.id === 'b').length >= 2);
    const consumed = bodies(results).filter((b) => b.via === 'consumer');
    expect(consumed.filter((b) => b.id === 'a')).toEqual([expect.objectContaining({ outcome: 'ok', receiveCount: 1, detailType: 'Order', functionName: expect.stringMatching(new RegExp(`^${stackName}-Consumer`)) })]);
    expect(consumed.filter((b) => b.id === 'b').map((b) => b.receiveCount).sort()).toEqual([1, 2]);
    expect(consumed.some((b) => b.id === 'c')).toBe(false);
    events.destroy();
  });

  it('PutEvents validates the request and supports fault injection', async () => {
    const events = new EventBridgeClient({ ...local, endpoint: runtime.services.eventbridge, maxAttempts: 1 });
    const entry = { Source: 'test.none', DetailType: 'X', Detail: '{}', EventBusName: `${stackName}-bus` };
    await expect(events.send(new PutEventsCommand({ Entries: Array.from({ length: 11 }, () => entry) }))).rejects.toThrow(/length/);
    runtime.eventBridge.setFaultInjector((_e, i) => (i === 1 ? { ErrorCode: 'ThrottlingException', ErrorMessage: 'injected' } : undefined));
    try {
      const put = await events.send(new PutEventsCommand({ Entries: [entry, entry, { ...entry, Detail: 'not json' }, { ...entry, EventBusName: 'missing' }] }));
      expect(put.FailedEntryCount).toBe(3);
      expect(put.Entries?.map((e) => e.ErrorCode ?? 'ok')).toEqual(['ok', 'ThrottlingException', 'MalformedDetail', 'ResourceNotFoundException']);
    } finally {
      runtime.eventBridge.setFaultInjector(undefined);
      events.destroy();
    }
  });

  it('a failed rule delivery goes to the target\'s DLQ with AWS\'s attributes, one that cannot be dead-lettered is reported lost; emoji travel intact', async () => {
    const events = new EventBridgeClient({ ...local, endpoint: runtime.services.eventbridge });
    const failures: DeliveryFailure[] = [];
    const unsubscribe = runtime.eventBridge.onDeliveryFailure((f) => failures.push(f));
    try {
      const entry = (note: string) => ({ Source: 'test.fragile', DetailType: 'Fragile', Detail: JSON.stringify({ note }), EventBusName: `${stackName}-bus` });
      const put = await events.send(new PutEventsCommand({ Entries: [entry('ACC-\u{1F600}')] }));
      expect(put.FailedEntryCount).toBe(0);
      const eventId = put.Entries![0]!.EventId!;

      // The target whose queue does not exist: to the rule DLQ at once (a client error is not retried), the event as the body.
      const dead: Message[] = [];
      await drainUntil(runtime.queueUrl('RuleDlq'), dead, (m) => m.length >= 1);
      expect(bodies(dead)[0]).toMatchObject({ id: eventId, source: 'test.fragile', detail: { note: 'ACC-\u{1F600}' } });
      const attributes = Object.fromEntries(Object.entries(dead[0]!.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue]));
      expect(attributes).toEqual({
        RULE_ARN: expect.stringMatching(new RegExp(`^arn:aws:events:us-east-1:000000000000:rule/${stackName}-bus/${stackName}-FragileRule`)),
        TARGET_ARN: `arn:aws:sqs:us-east-1:000000000000:${stackName}-gone`,
        ERROR_CODE: 'NO_RESOURCE',
        ERROR_MESSAGE: expect.stringContaining(`${stackName}-gone`),
        EXHAUSTED_RETRY_CONDITION: 'MaximumRetryAttempts',
        RETRY_ATTEMPTS: '0',
      });
      // The other target got the emoji as sent (SQS's character set includes it).
      const delivered: Message[] = [];
      await drainUntil(runtime.queueUrl('Fragile'), delivered, (m) => m.length >= 1);
      expect(bodies(delivered)[0]).toMatchObject({ id: eventId, detail: { note: 'ACC-\u{1F600}' } });
      expect(failures).toEqual([expect.objectContaining({ targetArn: `arn:aws:sqs:us-east-1:000000000000:${stackName}-gone`, errorCode: 'NO_RESOURCE', deadLetterArn: expect.stringContaining('RuleDlq') })]);

      // U+FFFF is outside SQS's character set: neither target nor DLQ takes it, and each loss is reported.
      failures.length = 0;
      const bad = await events.send(new PutEventsCommand({ Entries: [entry('bad \uffff')] }));
      expect(bad.FailedEntryCount).toBe(0);
      expect(failures.map((f) => [f.targetArn.split(':').pop(), f.deadLetterArn, f.errorCode])).toEqual(
        expect.arrayContaining([
          [`${stackName}-gone`, undefined, 'NO_RESOURCE'],
          [expect.stringContaining('Fragile'), undefined, 'SDK_CLIENT_ERROR'],
        ]),
      );
      expect(failures.find((f) => f.targetArn.endsWith('-gone'))?.deadLetterError).toMatch(/Invalid characters/);
      expect(logs.filter((l) => l.includes(bad.Entries![0]!.EventId!) && l.includes('THE EVENT IS LOST'))).toHaveLength(2);
    } finally {
      unsubscribe();
      events.destroy();
    }
  });

  it('stream poller: filter criteria, bisect on error, retries, then the on-failure destination', async () => {
    const dynamodb = new DynamoDBClient({ ...local, endpoint: runtime.services.dynamodb });
    const item = (pk: string, poison = false) => ({ PutRequest: { Item: { pk: { S: pk }, ...(poison ? { poison: { BOOL: true } } : {}) } } });
    await dynamodb.send(
      new BatchWriteItemCommand({ RequestItems: { [runtime.tableName('Outbox')]: [item('OUT#1'), item('OUT#2'), item('OUT#3', true), item('OUT#4'), item('OTHER#1')] } }),
    );
    const failures: Message[] = [];
    await drainUntil(runtime.queueUrl('StreamDlq'), failures, (m) => m.length >= 1, 20_000);
    const failure = bodies(failures)[0]!;
    expect(failure).toMatchObject({
      version: '1.0',
      requestContext: { condition: 'RetryAttemptsExhausted', functionArn: expect.stringContaining(`function:${stackName}-Publisher`) },
      responseContext: { functionError: 'Unhandled' },
      DDBStreamBatchInfo: { batchSize: 1, streamArn: expect.stringContaining(runtime.tableName('Outbox')), shardId: expect.any(String) },
    });
    expect(failure.DDBStreamBatchInfo.startSequenceNumber).toBe(failure.DDBStreamBatchInfo.endSequenceNumber);

    await drainUntil(runtime.queueUrl('Results'), results, (m) => bodies(m).filter((b) => b.via === 'stream').length >= 3);
    const published = bodies(results).filter((b) => b.via === 'stream').map((b) => b.pk).sort();
    expect(published).toEqual(['OUT#1', 'OUT#2', 'OUT#4']); // each once, never the filtered-out OTHER#1
    dynamodb.destroy();
  });

  it('serves API routes as Lambda proxy events and answers unknown routes like API Gateway', async () => {
    const base = runtime.endpoints[`${stackName}-api`]!;
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/prod\/$/);
    expect(runtime.endpoints.Api).toBe(base);

    const item = await fetch(`${base}items/42?expand=1`);
    expect(item.status).toBe(200);
    expect(item.headers.get('x-echo')).toBe('yes');
    expect(await item.json()).toMatchObject({
      resource: '/items/{id}',
      path: '/items/42',
      method: 'GET',
      pathParameters: { id: '42' },
      query: { expand: '1' },
      stage: 'prod',
      body: null,
      region: 'us-east-1',
      table: runtime.tableName('Outbox'),
      // By default the functions reach DynamoDB through the transaction-conflict layer, not directly.
      dynamodb: runtime.functionServices.dynamodb,
    });
    expect(runtime.functionServices.dynamodb).not.toBe(runtime.services.dynamodb);
    expect(runtime.transactionConflicts).toBeDefined();

    const file = await fetch(`${base}files/a/b.txt`, { method: 'POST', body: '{"x":1}', headers: { 'content-type': 'application/json' } });
    expect(file.status).toBe(201);
    expect(await file.json()).toMatchObject({ resource: '/files/{proxy+}', pathParameters: { proxy: 'a/b.txt' }, body: '{"x":1}' });

    const preflight = await fetch(`${base}items/42`, { method: 'OPTIONS' });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');

    const unknown = await fetch(`${base}nothing/here`);
    expect(unknown.status).toBe(403);
    expect(await unknown.json()).toEqual({ message: 'Missing Authentication Token' });
    expect((await fetch(`${base}items/42`, { method: 'DELETE' })).status).toBe(403);
    expect(logs.some((l) => /AWS_IAM authorization is not enforced/.test(l))).toBe(true);
  });

  it('enforces the function timeout and reports throws as failed invocations', async () => {
    const started = Date.now();
    const timedOut = await runtime.invoke('Slow', {}).catch((e: unknown) => e);
    expect(timedOut).toBeInstanceOf(LambdaInvocationError);
    expect(timedOut).toMatchObject({ kind: 'TimedOut', errorMessage: 'Task timed out after 1.00 seconds' });
    expect(Date.now() - started).toBeLessThan(15_000); // the function would take 30 s: it was stopped, with room for a busy machine
    const thrown = await runtime.invoke('Slow', { throw: true }).catch((e: unknown) => e);
    expect(thrown).toMatchObject({ kind: 'Unhandled', errorType: 'TypeError', errorMessage: 'asked to throw' });
  });

  it('reload adds new resources and keeps queued messages and endpoints', async () => {
    const parkingUrl = runtime.queueUrl('Parking');
    await sqs.send(new SendMessageCommand({ QueueUrl: parkingUrl, MessageBody: 'kept' }));
    const base = runtime.endpoints.Api;

    const next = mkdtempSync(join(tmpdir(), 'local-runtime-reload-'));
    cpSync(assemblyDir, next, { recursive: true });
    const templateFile = join(next, `${stackName}.template.json`);
    const template = JSON.parse(readFileSync(templateFile, 'utf8'));
    template.Resources.Added = { Type: 'AWS::SQS::Queue', Properties: { VisibilityTimeout: 5 } };
    writeFileSync(templateFile, JSON.stringify(template));

    await runtime.reload(next);
    expect(runtime.queueUrl('Added')).toMatch(new RegExp(`/${stackName}-Added$`));
    expect(runtime.endpoints.Api).toBe(base);
    const kept: Message[] = [];
    await drainUntil(parkingUrl, kept, (m) => m.length >= 1);
    expect(kept[0]?.Body).toBe('kept');
    // the pollers still run after reload
    await sqs.send(new SendMessageCommand({ QueueUrl: runtime.queueUrl('Work'), MessageBody: JSON.stringify({ detail: { id: 'after-reload' } }) }));
    await drainUntil(runtime.queueUrl('Results'), results, (m) => bodies(m).some((b) => b.id === 'after-reload'));
  });
});
