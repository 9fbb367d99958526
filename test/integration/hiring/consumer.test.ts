import { CreateQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { createHiringConsumer } from '../../../lambdas/hiring/createHiringConsumer.js';
import { managerKey } from '../../../lambdas/hiring/keys.js';
import { localClients, uniqueName } from '../../support/aws.js';
import { createHiringTable, getItem, managerUpdatedV1, sqsRecord, uid } from '../../fixtures/hiring/factories.js';


const { dynamodb, doc, sqs } = localClients();
let tableName: string;
let queueUrl: string;
let deadLetterQueueUrl: string;
let handler: ReturnType<typeof createHiringConsumer>;

beforeAll(async () => {
  tableName = await createHiringTable(dynamodb);
  queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('hiring-q') }))).QueueUrl!;
  deadLetterQueueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('hiring-dlq') }))).QueueUrl!;
  handler = createHiringConsumer({ clients: { doc, sqs }, tableName, queueUrl, deadLetterQueueUrl });
});

const batch = (...records: ReturnType<typeof sqsRecord>[]): SQSEvent => ({ Records: records });

describe('hiring consumer: ManagerUpdated v1', () => {
  it('copies the manager login and version (not the payout account)', async () => {
    const manager_uid = uid();
    const result = await handler(batch(sqsRecord(managerUpdatedV1({ manager_uid, login: 'ada', version: 1 }))));
    expect(result.batchItemFailures).toEqual([]);
    const item = await getItem(doc, tableName, managerKey(manager_uid));
    expect(item).toMatchObject({ manager_uid, login: 'ada', version: 1, item_type: 'manager' });
    expect(item?.payout_account).toBeUndefined();
  });

  it('applies a duplicate delivery once', async () => {
    const manager_uid = uid();
    const event = managerUpdatedV1({ manager_uid, login: 'ada', version: 3 });
    await handler(batch(sqsRecord(event)));
    // Another writer moves the manager on; a redelivery of the old event must not undo it.
    await handler(batch(sqsRecord(managerUpdatedV1({ manager_uid, login: 'ada.l', version: 4 }))));
    const result = await handler(batch(sqsRecord(event, 2)));
    expect(result.batchItemFailures).toEqual([]);
    expect(await getItem(doc, tableName, managerKey(manager_uid))).toMatchObject({ login: 'ada.l', version: 4 });
    const marker = await getItem(doc, tableName, { pk: `PROCESSED#hiring#${event.event_id}`, sk: 'PROCESSED' });
    expect(marker).toMatchObject({ event_name: 'ManagerUpdated', event_version: '1' });
  });

  it('ignores a stale version, whatever the arrival order', async () => {
    const manager_uid = uid();
    const v5 = managerUpdatedV1({ manager_uid, login: 'newest', version: 5 });
    const v2 = managerUpdatedV1({ manager_uid, login: 'older', version: 2 });
    const equal = managerUpdatedV1({ manager_uid, login: 'same-version', version: 5 });
    const result = await handler(batch(sqsRecord(v5)));
    expect(result.batchItemFailures).toEqual([]);
    expect((await handler(batch(sqsRecord(v2), sqsRecord(equal)))).batchItemFailures).toEqual([]);
    expect(await getItem(doc, tableName, managerKey(manager_uid))).toMatchObject({ login: 'newest', version: 5 });
  });

  it('keeps the legacy name and surname of a manager copied before the login migration', async () => {
    const manager_uid = uid();
    await doc.send(
      new PutCommand({
        TableName: tableName,
        Item: { ...managerKey(manager_uid), item_type: 'manager', manager_uid, name: 'Ada', surname: 'Lovelace', version: 1 },
      }),
    );
    await handler(batch(sqsRecord(managerUpdatedV1({ manager_uid, login: 'ada', version: 2 }))));
    expect(await getItem(doc, tableName, managerKey(manager_uid))).toMatchObject({ name: 'Ada', surname: 'Lovelace', login: 'ada', version: 2 });
  });

  it('sends a ManagerUpdated v0 (not consumed since the login migration) and an invalid event to the DLQ', async () => {
    const v0 = {
      event_id: uid(),
      event_name: 'ManagerUpdated',
      event_version: '0',
      produced_at: new Date().toISOString(),
      producer: 'tasks',
      payload: { manager_uid: uid(), name: 'Ada', surname: 'Lovelace', payout_account: 'DE89370400440532013000', version: 1 },
    };
    const invalid = managerUpdatedV1({ manager_uid: 'not-a-uuid', login: 'x', version: 1 });
    const result = await handler(batch(sqsRecord(v0), sqsRecord(invalid)));
    expect(result.batchItemFailures).toEqual([]);
    const reasons: string[] = [];
    for (let round = 0; round < 5 && reasons.length < 2; round += 1) {
      const { Messages } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: deadLetterQueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageAttributeNames: ['All'] }),
      );
      reasons.push(...(Messages ?? []).map((m) => m.MessageAttributes?.['failure-reason']?.StringValue ?? ''));
    }
    expect(reasons).toHaveLength(2);
    expect(reasons.join('\n')).toMatch(/ManagerUpdated v0/);
    expect(reasons.join('\n')).toMatch(/manager_uid/);
  });
});
