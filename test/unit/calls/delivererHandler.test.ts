import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PendingCallRecord } from '../../../lambdas/shared/calls/index.js';

Object.assign(process.env, {
  TABLE_NAME: 'tasks-table',
  DEAD_LETTER_QUEUE_URL: 'https://sqs.local/000000000000/deferred-dlq',
  HIRING_API_URL: 'https://hiring.example/v1',
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'secret',
});
const { handler } = await import('../../../lambdas/shared/calls/delivererHandler.js');

const doc = mockClient(DynamoDBDocumentClient);
const sqs = mockClient(SQSClient);

const pending = (overrides: Partial<PendingCallRecord> = {}): PendingCallRecord => ({
  pk: 'CALL#call-1',
  sk: 'CALL',
  item_type: 'call',
  call_id: 'call-1',
  target: 'hiring',
  method: 'PUT',
  path: '/internal/tasks/t1',
  body: { task_uid: 't1', version: 2 },
  status: 'pending',
  created_at: '2026-11-26T00:00:00.000Z',
  expires_at: 1,
  ...overrides,
});

const record = (pk: string, messageId = 'm1'): SQSRecord =>
  ({ messageId, body: JSON.stringify({ pk }), attributes: { ApproximateReceiveCount: '1' }, messageAttributes: {} }) as unknown as SQSRecord;

const answer = (status: number, body: unknown = {}) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('deferred-calls deliverer', () => {
  const fetchMock = vi.fn<typeof fetch>();
  beforeEach(() => {
    doc.reset();
    sqs.reset();
    fetchMock.mockReset();
    vi.stubGlobal('fetch', fetchMock);
    doc.on(UpdateCommand).resolves({});
    sqs.on(SendMessageCommand).resolves({ MessageId: 'dlq-1' });
  });
  afterEach(() => vi.unstubAllGlobals());

  it('skips a call the synchronous attempt already delivered', async () => {
    doc.on(GetCommand).resolves({ Item: pending({ status: 'delivered' }) });
    expect(await handler({ Records: [record('CALL#call-1')] })).toEqual({ batchItemFailures: [] });
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it('delivers a pending call, signed, with the call id as idempotency key, and marks it delivered', async () => {
    doc.on(GetCommand).resolves({ Item: pending() });
    fetchMock.mockResolvedValue(answer(200, { applied: true }));
    expect(await handler({ Records: [record('CALL#call-1')] })).toEqual({ batchItemFailures: [] });
    const [url, init] = fetchMock.mock.calls[0]!;
    expect(String(url)).toBe('https://hiring.example/v1/internal/tasks/t1');
    const headers = new Headers(init?.headers);
    expect(headers.get('idempotency-key')).toBe('call-1');
    expect(headers.get('authorization')).toMatch(/^AWS4-HMAC-SHA256 /);
    const update = doc.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(update).toMatchObject({ Key: { pk: 'CALL#call-1', sk: 'CALL' }, ExpressionAttributeValues: { ':delivered': 'delivered' } });
  });

  it('fails the record while the target is down, so SQS retries it later', async () => {
    doc.on(GetCommand).resolves({ Item: pending() });
    fetchMock.mockResolvedValue(answer(503));
    expect(await handler({ Records: [record('CALL#call-1', 'down')] })).toEqual({ batchItemFailures: [{ itemIdentifier: 'down' }] });
    expect(doc.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it('sends a call the target rejects (4xx) to the DLQ with the reason instead of retrying it', async () => {
    doc.on(GetCommand).resolves({ Item: pending() });
    fetchMock.mockResolvedValue(answer(404, { error: { code: 'not_found', message: 'candidate unknown' } }));
    expect(await handler({ Records: [record('CALL#call-1')] })).toEqual({ batchItemFailures: [] });
    const sent = sqs.commandCalls(SendMessageCommand)[0]!.args[0].input;
    expect(sent.QueueUrl).toBe('https://sqs.local/000000000000/deferred-dlq');
    expect(sent.MessageAttributes?.['failure-kind']?.StringValue).toBe('rejected');
    expect(sent.MessageAttributes?.['failure-reason']?.StringValue).toContain('candidate unknown');
  });

  it('settles each record on its own', async () => {
    doc.on(GetCommand, { Key: { pk: 'CALL#ok', sk: 'CALL' } }).resolves({ Item: pending({ pk: 'CALL#ok', call_id: 'ok' }) });
    doc.on(GetCommand, { Key: { pk: 'CALL#gone', sk: 'CALL' } }).resolves({});
    doc.on(GetCommand, { Key: { pk: 'CALL#bad', sk: 'CALL' } }).rejects(new Error('throttled'));
    fetchMock.mockResolvedValue(answer(200));
    const response = await handler({ Records: [record('CALL#ok', 'a'), record('CALL#gone', 'b'), record('CALL#bad', 'c')] });
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'c' }] });
  });
});
