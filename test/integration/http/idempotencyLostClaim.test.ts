import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { withIdempotencyKey } from '../../../lambdas/shared/http/index.js';
import { ServiceProxy } from '../../../local/service-proxy.js';
import { uniqueName } from '../../support/aws.js';

/**
 * Found by the chaos run (`409 request_in_progress` retries on POST /tasks, /assignments and PUT
 * rating): DynamoDB executes the idempotency CLAIM (a conditional PutItem) but its answer is lost
 * (500); the SDK retries the same PutItem, which now fails its condition against the claim it just
 * wrote; `claim()` reads the record back, finds IN_PROGRESS with the same request hash and a live
 * lock, and answers 409 `request_in_progress` — to the very request that holds the claim. The key
 * stayed blocked until the lock expired (60 s). Fixed: a record whose `claim_token` is the request's own
 * is its claim, so the request proceeds (`lambdas/shared/http/withIdempotencyKey.ts` claim()).
 */
describe('withIdempotencyKey when the claim write succeeds but its answer is lost', () => {
  const local = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } as const;
  const table = uniqueName('chaos-claim');
  let proxy: ServiceProxy;
  let lostOnce = false;
  let doc: DynamoDBDocumentClient;

  beforeAll(async () => {
    const real = new DynamoDBClient({ ...local, endpoint: inject('dynamodbEndpoint') });
    await real.send(
      new CreateTableCommand({
        TableName: table,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      }),
    );
    real.destroy();
    proxy = await ServiceProxy.start({
      protocol: 'dynamodb',
      target: inject('dynamodbEndpoint'),
      decide: ({ operation, body }) => {
        if (lostOnce || operation !== 'PutItem' || !body.toString().includes('IDEMPOTENCY#')) return undefined;
        lostOnce = true;
        return { kind: 'lost-response', action: 'after', status: 500, code: 'InternalServerError' };
      },
    });
    doc = DynamoDBDocumentClient.from(new DynamoDBClient({ ...local, endpoint: proxy.endpoint }));
  });

  afterAll(async () => {
    doc?.destroy();
    await proxy?.stop();
  });

  it('runs the handler (the claim is ours) instead of answering 409 request_in_progress', async () => {
    const response = await withIdempotencyKey(
      { tableName: table, client: doc },
      { route: 'POST /managers', key: 'lost-claim-1', fingerprint: { path: '/managers', body: { login: 'ada' } } },
      async () => ({ status: 201, body: { ok: true } }),
    );
    expect(lostOnce).toBe(true);
    expect(response).toEqual({ status: 201, body: { ok: true } });
  });
});
