import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { inject } from 'vitest';
import { candidateKey, managerKey } from '../../../lambdas/hiring/keys.js';
import { localClients, uniqueName } from '../../support/aws.js';
import { lambdaContext } from '../../support/lambdaContext.js';
import { apiEvent, createHiringTable, getItem, managerUpdatedV1, parseResult, sqsRecord, uid } from '../../fixtures/hiring/factories.js';

const { dynamodb, doc, sqs } = localClients();
let tableName: string;

beforeAll(async () => {
  tableName = await createHiringTable(dynamodb);
  const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('hiring-q') }))).QueueUrl!;
  const dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('hiring-dlq') }))).QueueUrl!;
  // The Lambda entries build default clients from the environment, as in AWS; point them at the local services.
  vi.stubEnv('TABLE_NAME', tableName);
  vi.stubEnv('QUEUE_URL', queueUrl);
  vi.stubEnv('DEAD_LETTER_QUEUE_URL', dlqUrl);
  vi.stubEnv('AWS_REGION', 'us-east-1');
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'local');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'local');
  vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', inject('dynamodbEndpoint'));
  vi.stubEnv('AWS_ENDPOINT_URL_SQS', inject('sqsEndpoint'));
});

afterAll(() => {
  vi.unstubAllEnvs();
});

describe('hiring Lambda entry points configured from the environment', () => {
  it('api.ts handler serves POST /candidates on TABLE_NAME', async () => {
    const { handler } = await import('../../../lambdas/hiring/api.js');
    const answer = parseResult<{ candidate_uid: string }>(await handler(apiEvent('POST', '/candidates', { body: { name: 'Grace', surname: 'Hopper' } }), lambdaContext()));
    expect(answer.status).toBe(201);
    expect(await getItem(doc, tableName, candidateKey(answer.body.candidate_uid))).toMatchObject({ name: 'Grace' });
  });

  it('events.ts handler consumes ManagerUpdated v1 into TABLE_NAME', async () => {
    const { handler } = await import('../../../lambdas/hiring/events.js');
    const manager_uid = uid();
    const result = await handler({ Records: [sqsRecord(managerUpdatedV1({ manager_uid, login: 'ada', version: 1 }))] }, lambdaContext());
    expect(result.batchItemFailures).toEqual([]);
    expect(await getItem(doc, tableName, managerKey(manager_uid))).toMatchObject({ login: 'ada' });
  });
});
