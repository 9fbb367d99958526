import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PendingCallRecord } from '../../../lambdas/shared/calls/index.js';
import { logger, metrics } from '../../../lambdas/shared/observability.js';

// The environment the DeferredCalls construct sets; stubbed per test (vitest's unstubEnvs restores it
// after each one), so other test files of the same worker never see it.
const ENV = {
  TABLE_NAME: 'tasks-table',
  DEAD_LETTER_QUEUE_URL: 'https://sqs.local/000000000000/deferred-dlq',
  WAITING_QUEUE_URL: 'https://sqs.local/000000000000/deferred-waiting',
  ATTEMPTS_BEFORE_WAITING: '6',
  WAITING_HORIZON_SECONDS: String(14 * 86_400),
  HIRING_API_URL: 'https://hiring.example/v1',
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'secret',
};
beforeEach(() => {
  for (const [key, value] of Object.entries(ENV)) vi.stubEnv(key, value);
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

const record = (pk: string, messageId = 'm1', { receiveCount = 1, waitingSince, waitingRound }: { receiveCount?: number; waitingSince?: string; waitingRound?: number } = {}): SQSRecord =>
  ({
    messageId,
    body: JSON.stringify({ pk }),
    eventSourceARN: 'arn:aws:sqs:eu-west-1:111111111111:calls',
    attributes: { ApproximateReceiveCount: String(receiveCount), SentTimestamp: '1764000000000' },
    messageAttributes: {
      ...(waitingSince ? { 'waiting-since': { stringValue: waitingSince, dataType: 'String' } } : {}),
      ...(waitingRound ? { 'waiting-round': { stringValue: String(waitingRound), dataType: 'Number' } } : {}),
    },
  }) as unknown as SQSRecord;

const DAY = 86_400;
/** The TTL a hold sets, as epoch seconds, for a hold made now: horizon (14 d) + DLQ retention (14 d) + 1 d. */
const holdUntilNow = () => Math.floor(Date.now() / 1000) + 29 * DAY;

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
    fetchMock.mockImplementation(async () => answer(503));
    expect(await handler({ Records: [record('CALL#call-1', 'down', { receiveCount: 5 })] })).toEqual({ batchItemFailures: [{ itemIdentifier: 'down' }] });
    expect(doc.commandCalls(UpdateCommand)).toHaveLength(0);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  it('after its deferred attempts moves a call whose target is still down (5xx) to the waiting queue, holding its row', async () => {
    doc.on(GetCommand).resolves({ Item: pending() });
    fetchMock.mockImplementation(async () => answer(503));
    const before = holdUntilNow();
    expect(await handler({ Records: [record('CALL#call-1', 'down', { receiveCount: 6 })] })).toEqual({ batchItemFailures: [] });
    const sent = sqs.commandCalls(SendMessageCommand)[0]!.args[0].input;
    expect(sent.QueueUrl).toBe('https://sqs.local/000000000000/deferred-waiting');
    expect(sent.MessageBody).toBe(JSON.stringify({ pk: 'CALL#call-1' }));
    expect(sent.MessageAttributes?.['failure-kind']?.StringValue).toBe('target-unavailable');
    expect(sent.MessageAttributes?.['failure-reason']?.StringValue).toMatch(/ServiceUnavailableError.*503.*\(after 6 deferred attempts\)/);
    expect(sent.MessageAttributes?.['waiting-round']?.StringValue).toBe('1');
    expect(Date.parse(sent.MessageAttributes!['waiting-since']!.StringValue!)).toBeGreaterThan(Date.now() - 60_000);
    // The row is held past the horizon and the DLQ's retention before the message moves on.
    const hold = doc.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(hold.Key).toEqual({ pk: 'CALL#call-1', sk: 'CALL' });
    expect(hold.UpdateExpression).toBe('SET expires_at = :until');
    expect(hold.ExpressionAttributeValues![':until']).toBeGreaterThanOrEqual(before);
    expect(hold.ConditionExpression).toContain('expires_at < :until');
  });

  it('treats a network failure or a timeout like a 5xx: waiting queue after the attempts', async () => {
    doc.on(GetCommand).resolves({ Item: pending() });
    fetchMock.mockRejectedValue(Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) }));
    expect(await handler({ Records: [record('CALL#call-1', 'down', { receiveCount: 9 })] })).toEqual({ batchItemFailures: [] });
    expect(sqs.commandCalls(SendMessageCommand)[0]!.args[0].input.QueueUrl).toBe('https://sqs.local/000000000000/deferred-waiting');
  });

  it('sends a call the redriver brought back, still failing, straight back to waiting: next round, same start', async () => {
    doc.on(GetCommand).resolves({ Item: pending() });
    fetchMock.mockImplementation(async () => answer(502));
    const since = '2026-11-20T00:00:00.000Z';
    expect(await handler({ Records: [record('CALL#call-1', 'back', { receiveCount: 1, waitingSince: since, waitingRound: 3 })] })).toEqual({ batchItemFailures: [] });
    const sent = sqs.commandCalls(SendMessageCommand)[0]!.args[0].input;
    expect(sent.QueueUrl).toBe('https://sqs.local/000000000000/deferred-waiting');
    expect(sent.MessageAttributes?.['waiting-since']?.StringValue).toBe(since);
    expect(sent.MessageAttributes?.['waiting-round']?.StringValue).toBe('4');
  });

  it('delivers a call the redriver brought back once the target is up again', async () => {
    doc.on(GetCommand).resolves({ Item: pending() });
    fetchMock.mockResolvedValue(answer(200, { applied: true }));
    const response = await handler({ Records: [record('CALL#call-1', 'back', { waitingSince: '2026-11-20T00:00:00.000Z', waitingRound: 9 })] });
    expect(response).toEqual({ batchItemFailures: [] });
    expect(doc.commandCalls(UpdateCommand)[0]!.args[0].input.ExpressionAttributeValues).toMatchObject({ ':delivered': 'delivered' });
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  it('sends a call the target rejects (4xx) to the DLQ with the reason instead of retrying it, holding its row as long as the message can live', async () => {
    doc.on(GetCommand).resolves({ Item: pending() });
    fetchMock.mockResolvedValue(answer(404, { error: { code: 'not_found', message: 'candidate unknown' } }));
    const before = holdUntilNow();
    expect(await handler({ Records: [record('CALL#call-1')] })).toEqual({ batchItemFailures: [] });
    const sent = sqs.commandCalls(SendMessageCommand)[0]!.args[0].input;
    expect(sent.QueueUrl).toBe('https://sqs.local/000000000000/deferred-dlq');
    expect(sent.MessageAttributes?.['failure-kind']?.StringValue).toBe('rejected');
    expect(sent.MessageAttributes?.['failure-reason']?.StringValue).toContain('candidate unknown');
    expect(sent.MessageAttributes?.['source-queue']?.StringValue).toBe('arn:aws:sqs:eu-west-1:111111111111:calls');
    // Held BEFORE the send: a DLQ message never points at a row that expires under it.
    const hold = doc.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(hold.ExpressionAttributeValues![':until']).toBeGreaterThanOrEqual(before);
  });

  it('holding a row already kept longer (or gone) is not an error', async () => {
    doc.on(GetCommand).resolves({ Item: pending() });
    doc.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));
    fetchMock.mockResolvedValue(answer(409, { error: { code: 'conflict' } }));
    expect(await handler({ Records: [record('CALL#call-1')] })).toEqual({ batchItemFailures: [] });
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(1);
  });

  it('logs a message whose pending-call row is missing as an error with the call identity, counts it, and does not fail', async () => {
    const error = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const addMetric = vi.spyOn(metrics, 'addMetric');
    doc.on(GetCommand).resolves({});
    const response = await handler({ Records: [record('CALL#gone-1', 'late', { receiveCount: 2, waitingSince: '2026-11-01T00:00:00.000Z', waitingRound: 7 })] });
    expect(response).toEqual({ batchItemFailures: [] });
    expect(fetchMock).not.toHaveBeenCalled();
    expect(error).toHaveBeenCalledWith(
      expect.stringContaining('no pending-call row'),
      expect.objectContaining({ pk: 'CALL#gone-1', call_id: 'gone-1', messageId: 'late', receiveCount: 2, waitingSince: '2026-11-01T00:00:00.000Z' }),
    );
    expect(addMetric).toHaveBeenCalledWith('PendingCallMissing', 'Count', 1);
    error.mockRestore();
    addMetric.mockRestore();
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
