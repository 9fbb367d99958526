import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { createBonusApi } from '../../../lambdas/bonus/createBonusApi.js';
import { bonusKeys } from '../../../lambdas/bonus/keys.js';
import { localClients, uniqueName } from '../../support/aws.js';
import { apiEvent, type ApiRequest } from '../../integration/support/apiEvent.js';
import { createServiceTable } from '../../integration/support/serviceTable.js';
import { concurrently, expectOnly2xxOr409, useConflictLayer } from './conflictLayer.js';

/**
 * Bonus's one write route under contention, with DynamoDB's transaction conflicts emulated: hiring's
 * sync attempts and deferred deliveries of several ratings of one task arrive at once. The route
 * adds a version with ONE conditional `UpdateItem` on the task's rating history, which only a
 * transaction writing the same item could conflict with, and none does: every delivery answers 200
 * (the route still runs under `retryWrite`, should a transaction ever include that item).
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
  it('PUT /internal/tasks/{task_uid}/rating: 10 versions, each delivered twice, all at once -> 200 each, every version kept once in the task\'s rating history', async () => {
    const task_uid = randomUUID();
    const deliveries = Array.from({ length: 20 }, (_, i) => ({ version: (i % 10) + 1, rating: ((i % 10) % 5) + 1 }));
    const before = layer.conflicts.total();
    const answers = await concurrently(deliveries.length, (i) =>
        call({
          method: 'PUT',
          resource: '/internal/tasks/{task_uid}/rating',
          pathParameters: { task_uid },
          body: { task_uid, rating: deliveries[i]!.rating, version: deliveries[i]!.version, rated_at: new Date(Date.UTC(2026, 0, 1, 0, deliveries[i]!.version)).toISOString() },
          headers: { 'Idempotency-Key': `rating-${task_uid}-v${deliveries[i]!.version}-${i}` },
        }),
    );
    expect(layer.conflicts.total() - before, 'no transaction holds the rating item').toBe(0);
    expect(expectOnly2xxOr409(answers)).toHaveLength(deliveries.length);
    // Every version a 200 answered for is in the history (stored by that call or by its twin), once,
    // with its rating; a version is applied by one delivery at most.
    const accepted = [...new Set(deliveries.map((d) => d.version))];
    const { Item } = await doc.send(new GetCommand({ TableName: tableName, Key: bonusKeys.rating(task_uid), ConsistentRead: true }));
    const history = (Item?.history ?? []) as Array<{ version: number; rating: number }>;
    const kept = history.map((h) => h.version);
    expect(new Set(kept).size).toBe(kept.length);
    for (const version of accepted) expect(history.find((h) => h.version === version)).toMatchObject({ rating: ((version - 1) % 5) + 1 });
    const applied = answers.flatMap((a, i) => (a.status === 200 && a.body.applied ? [deliveries[i]!.version] : []));
    expect(new Set(applied).size).toBe(applied.length);
    expect(applied.sort((a, b) => a - b)).toEqual([...kept].sort((a, b) => a - b));
    expect(kept).toHaveLength(10);
  });
});
