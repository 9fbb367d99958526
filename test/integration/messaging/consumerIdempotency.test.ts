import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
});

import { metrics } from '../../../lambdas/shared/observability.js';
import { createConsumer, lastWriteWinsPut, processedMarker, type ConsumerHandlers } from '../../../lambdas/shared/messaging/index.js';
import { localClients, uniqueName } from '../../support/aws.js';
import { managerUpdated, sqsRecord, taskSolved } from '../../unit/messaging/factories.js';
import { createServiceTable } from './helpers.js';

const { dynamodb, doc, sqs } = localClients();
const table = uniqueName('bonus');

beforeAll(async () => {
  await createServiceTable(dynamodb, table);
});

/** Credits the task's manager 100 and appends a ledger line: the effect that must happen once. */
const handlers: ConsumerHandlers = {
  TaskSolved: {
    '0': async (event, ctx) => [
      {
        Update: {
          TableName: ctx.tableName,
          Key: { pk: `BALANCE#${event.payload.task_manager_uid}`, sk: 'BALANCE' },
          UpdateExpression: 'ADD amount :a',
          ExpressionAttributeValues: { ':a': 100 },
        },
      },
      {
        Put: {
          TableName: ctx.tableName,
          Item: { pk: `LEDGER#${event.payload.task_manager_uid}`, sk: event.event_id, amount: 100 },
        },
      },
    ],
  },
  ManagerUpdated: {
    '1': async (event, ctx) => [
      lastWriteWinsPut({
        tableName: ctx.tableName,
        item: { pk: `MANAGER#${event.payload.manager_uid}`, sk: 'MANAGER', login: event.payload.login, version: event.payload.version },
      }),
    ],
  },
};

const consumer = createConsumer({
  consumer: 'bonus',
  handlers,
  tableName: table,
  queueUrl: 'unused-queue',
  deadLetterQueueUrl: 'unused-dlq',
  clients: { doc, sqs },
});

const balanceOf = async (managerUid: string) =>
  (await doc.send(new GetCommand({ TableName: table, Key: { pk: `BALANCE#${managerUid}`, sk: 'BALANCE' } }))).Item?.amount;

describe('consumer against DynamoDB Local', () => {
  it('applies the same event delivered 3 times exactly once (sequential and overlapping deliveries)', async () => {
    vi.spyOn(metrics, 'publishStoredMetrics').mockReturnValue(metrics);
    const addMetric = vi.spyOn(metrics, 'addMetric');
    const send = vi.spyOn(sqs, 'send');
    const managerUid = crypto.randomUUID();
    const event = taskSolved({ managerUid });

    const first = await consumer({ Records: [sqsRecord(event)] });
    // The two redeliveries overlap each other (same batch, processed concurrently).
    const again = await consumer({ Records: [sqsRecord(event), sqsRecord(event)] });

    expect(first.batchItemFailures).toEqual([]);
    expect(again.batchItemFailures).toEqual([]);
    expect(await balanceOf(managerUid)).toBe(100);
    const ledger = await doc.send(
      new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `LEDGER#${managerUid}` } }),
    );
    expect(ledger.Items).toHaveLength(1);
    const marker = await doc.send(new GetCommand({ TableName: table, Key: { pk: `PROCESSED#bonus#${event.event_id}`, sk: 'PROCESSED' } }));
    expect(marker.Item).toMatchObject({ event_name: 'TaskSolved', event_version: '0' });
    const names = addMetric.mock.calls.map((c) => c[0]);
    expect(names.filter((n) => n === 'EventsConsumed')).toHaveLength(1);
    expect(names.filter((n) => n === 'EventsDuplicate')).toHaveLength(2);
    expect(send.mock.calls.filter(([command]) => command instanceof SendMessageCommand)).toHaveLength(0);
  });

  it('keeps the newest manager whatever the arrival order (last-write-wins), marking stale ones processed', async () => {
    const managerUid = crypto.randomUUID();
    const v2 = managerUpdated(2, managerUid);
    const v1 = managerUpdated(1, managerUid);
    const v3 = managerUpdated(3, managerUid);
    for (const event of [v2, v1, v3, v1]) {
      expect((await consumer({ Records: [sqsRecord(event)] })).batchItemFailures).toEqual([]);
    }
    const stored = await doc.send(new GetCommand({ TableName: table, Key: { pk: `MANAGER#${managerUid}`, sk: 'MANAGER' } }));
    expect(stored.Item).toMatchObject({ version: 3, login: 'login-v3' });
    for (const event of [v1, v2, v3]) {
      const marker = await doc.send(new GetCommand({ TableName: table, Key: { pk: `PROCESSED#bonus#${event.event_id}`, sk: 'PROCESSED' } }));
      expect(marker.Item, `marker of v${event.payload.version}`).toBeDefined();
    }
  });

  it('really gets ConditionalCheckFailed on the marker from DynamoDB Local (the duplicate signal)', async () => {
    const event = taskSolved();
    await consumer({ Records: [sqsRecord(event)] });
    const error = await doc.send(new TransactWriteCommand({ TransactItems: [processedMarker(table, 'bonus', event)] })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransactionCanceledException);
    expect((error as TransactionCanceledException).CancellationReasons?.[0]?.Code).toBe('ConditionalCheckFailed');
  });
});
