import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { createBonusApi } from '../../../lambdas/bonus/createBonusApi.js';
import { bonusKeys } from '../../../lambdas/bonus/keys.js';
import { localClients, uniqueName } from '../../support/aws.js';
import { apiEvent, type ApiRequest } from '../../integration/support/apiEvent.js';
import { createServiceTable } from '../../integration/support/serviceTable.js';
import { concurrently, expectOnly2xxOr409, useConflictLayer, withConflicts } from './conflictLayer.js';

/**
 * Bonus's one write route under contention, with DynamoDB's transaction conflicts emulated: hiring's
 * sync attempts and deferred deliveries of several ratings of one task arrive at once.
 */
const layer = useConflictLayer();
const { dynamodb, doc } = localClients();
const tableName = uniqueName('bonus');
let call: (request: ApiRequest) => Promise<{ status: number; body: { applied?: boolean; error?: { code: string } } }>;

beforeAll(async () => {
  await createServiceTable(dynamodb, tableName);
  const api = createBonusApi({ doc: layer.doc, tableName });
  call = async (request) => {
    const result = await api(apiEvent(request));
    return { status: result.statusCode, body: JSON.parse(result.body) };
  };
});

describe('contention on the bonus write route (transaction conflicts emulated)', { timeout: 120_000 }, () => {
  it('PUT /internal/tasks/{task_uid}/rating: 10 versions, each delivered twice, all at once -> 2xx or 409 write_conflict, the newest accepted version is stored', async () => {
    const task_uid = randomUUID();
    const deliveries = Array.from({ length: 20 }, (_, i) => ({ version: (i % 10) + 1, rating: ((i % 10) % 5) + 1 }));
    const answers = await withConflicts(layer, () =>
      concurrently(deliveries.length, (i) =>
        call({
          method: 'PUT',
          resource: '/internal/tasks/{task_uid}/rating',
          pathParameters: { task_uid },
          body: { task_uid, rating: deliveries[i]!.rating, version: deliveries[i]!.version, rated_at: new Date(Date.UTC(2026, 0, 1, 0, deliveries[i]!.version)).toISOString() },
          headers: { 'Idempotency-Key': `rating-${task_uid}-v${deliveries[i]!.version}-${i}` },
        }),
      ),
    );
    expectOnly2xxOr409(answers);
    // Last-write-wins: the stored rating is the highest version any 200 answered for (applied by it or by its twin).
    const accepted = answers.flatMap((a, i) => (a.status === 200 ? [deliveries[i]!.version] : []));
    expect(accepted.length).toBeGreaterThan(0);
    const newest = Math.max(...accepted);
    const { Item } = await doc.send(new GetCommand({ TableName: tableName, Key: bonusKeys.rating(task_uid), ConsistentRead: true }));
    expect(Item).toMatchObject({ version: newest, rating: ((newest - 1) % 5) + 1 });
    expect(answers.some((a) => a.status === 200 && a.body.applied)).toBe(true);
  });
});
