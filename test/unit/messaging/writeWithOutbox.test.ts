import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { EventValidationError, UnknownEventError } from '../../../lambdas/shared/registry/index.js';
import { TransactionTooLargeError, writeWithOutbox } from '../../../lambdas/shared/messaging/index.js';
import { outboxItem } from '../../../lambdas/shared/messaging/outboxItem.js';
import { taskSolved } from './factories.js';

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' }));
const docMock = mockClient(doc);
const change = { Put: { TableName: 'hiring', Item: { pk: 'SOLUTION#1', sk: 'SOLUTION' }, ConditionExpression: 'attribute_not_exists(pk)' } };

beforeEach(() => {
  docMock.reset();
  docMock.on(TransactWriteCommand).resolves({});
});

describe('writeWithOutbox', () => {
  it('commits the changes and one outbox row per event in a single transaction', async () => {
    const events = [taskSolved(), taskSolved()];
    const now = new Date('2026-11-24T10:00:00Z');
    await writeWithOutbox(doc, 'hiring', { changes: [change], events }, { now, clientRequestToken: 'req-1' });
    const calls = docMock.commandCalls(TransactWriteCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]!.args[0].input;
    expect(input.ClientRequestToken).toBe('req-1');
    expect(input.TransactItems).toEqual([
      change,
      ...events.map((event) => ({ Put: { TableName: 'hiring', Item: outboxItem(event, now), ConditionExpression: 'attribute_not_exists(pk)' } })),
    ]);
  });

  it('validates every event BEFORE writing: an invalid one throws and nothing is written', async () => {
    const invalid = { ...taskSolved(), payload: { task_uid: 'x' } };
    await expect(writeWithOutbox(doc, 'hiring', { changes: [change], events: [taskSolved(), invalid] })).rejects.toBeInstanceOf(EventValidationError);
    await expect(writeWithOutbox(doc, 'hiring', { changes: [change], events: [{ ...taskSolved(), event_version: '5' }] })).rejects.toBeInstanceOf(UnknownEventError);
    expect(docMock.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('refuses more than 100 items clearly, writing nothing', async () => {
    const changes = Array.from({ length: 99 }, () => change);
    await expect(writeWithOutbox(doc, 'hiring', { changes, events: [taskSolved(), taskSolved()] })).rejects.toThrow(TransactionTooLargeError);
    await expect(writeWithOutbox(doc, 'hiring', { changes, events: [taskSolved(), taskSolved()] })).rejects.toThrow('at most 100 items, got 101');
    expect(docMock.commandCalls(TransactWriteCommand)).toHaveLength(0);
    await writeWithOutbox(doc, 'hiring', { changes, events: [taskSolved()] });
    expect(docMock.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });

  it('lets the DynamoDB cancellation through (nothing written: the caller decides)', async () => {
    docMock.on(TransactWriteCommand).rejects(Object.assign(new Error('cancelled'), { name: 'TransactionCanceledException' }));
    await expect(writeWithOutbox(doc, 'hiring', { changes: [change], events: [taskSolved()] })).rejects.toThrow('cancelled');
  });
});

describe('outboxItem', () => {
  it('keys the row by event id, stores the envelope, a 30-day TTL (the retention chain) and the sparse GSI keys in UTC', () => {
    const event = taskSolved({ producedAt: new Date('2026-11-24T23:59:59.123Z') });
    const item = outboxItem(event, new Date('2026-11-25T00:00:00Z'));
    expect(item).toEqual({
      pk: `OUTBOX#${event.event_id}`,
      sk: 'OUTBOX',
      item_type: 'outbox',
      event,
      gsi1pk: 'OUTBOX#2026-11-24',
      gsi1sk: `2026-11-24T23:59:59.123Z#${event.event_id}`,
      expires_at: Date.parse('2026-11-25T00:00:00Z') / 1000 + 30 * 24 * 3600,
    });
  });
});
