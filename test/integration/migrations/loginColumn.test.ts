import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { createHiringConsumer } from '../../../lambdas/hiring/createHiringConsumer.js';
import type { ManagerItem } from '../../../lambdas/hiring/keys.js';
import { managerDisplayFor } from '../../../lambdas/hiring/migrations/managerDisplay.js';
import { buildEvent } from '../../../lambdas/shared/registry/index.js';
import { FINAL_STEPS, type MigrationSteps } from '../../../lambdas/shared/migrations/steps.js';
import { localClients, uniqueName } from '../../support/aws.js';
import { createServiceTable } from '../../support/serviceTable.js';
import { sqsRecord } from '../../unit/messaging/factories.js';

const at = (changes: Partial<MigrationSteps>): MigrationSteps => ({ ...FINAL_STEPS, ...changes });

describe("hiring's login column per login step (DynamoDB Local)", () => {
  const { dynamodb, doc, sqs } = localClients();
  const tableName = uniqueName('hiring-login-column');
  const managerUid = '5f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f';
  const copy = async () => (await doc.send(new GetCommand({ TableName: tableName, Key: { pk: `MANAGER#${managerUid}`, sk: 'MANAGER' }, ConsistentRead: true }))).Item;
  const deliver = async (steps: MigrationSteps, event: Parameters<typeof sqsRecord>[0]) => {
    const consumer = createHiringConsumer({ steps, clients: { doc, sqs }, tableName, queueUrl: 'unused', deadLetterQueueUrl: 'unused' });
    expect((await consumer({ Records: [sqsRecord(event)] })).batchItemFailures).toEqual([]);
  };
  const v0 = (version: number) =>
    buildEvent('ManagerUpdated', '0', { manager_uid: managerUid, name: 'Ada', surname: 'Lovelace', payout_account: 'ACC', version }, { producer: 'tasks' });

  it('step 0 keeps name and surname only; from step 1 the copy has an empty login column, which a v1 login fills and a later v0 keeps', async () => {
    await createServiceTable(dynamodb, tableName);
    await deliver(at({ managerLogin: 0 }), v0(1));
    expect(await copy()).not.toHaveProperty('login');

    await deliver(at({ managerLogin: 1 }), v0(2));
    expect(await copy()).toMatchObject({ name: 'Ada', surname: 'Lovelace', login: '', version: 2 });
    // Shown by name at steps 1..7, and at 2..7 by login when the names are gone; an empty login shows nothing from step 8.
    expect(managerDisplayFor(at({ managerLogin: 1 }))((await copy()) as ManagerItem)).toBe('Ada Lovelace');
    expect(managerDisplayFor(at({ managerLogin: 8 }))((await copy()) as ManagerItem)).toBeNull();

    await deliver(at({ managerLogin: 4 }), buildEvent('ManagerUpdated', '1', { manager_uid: managerUid, login: 'ada', payout_account: 'ACC', version: 3 }, { producer: 'tasks' }));
    await deliver(at({ managerLogin: 4 }), v0(4));
    expect(await copy()).toMatchObject({ name: 'Ada', surname: 'Lovelace', login: 'ada', version: 4 });
  });
});
