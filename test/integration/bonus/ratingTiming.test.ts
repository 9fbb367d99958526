import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  UpdateCommand,
  type BatchGetCommandInput,
  type TransactWriteCommandInput,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createBonusApi } from '../../../lambdas/bonus/createBonusApi.js';
import { createBonusConsumer } from '../../../lambdas/bonus/createBonusConsumer.js';
import { bonusKeys, type RatingVersion } from '../../../lambdas/bonus/keys.js';
import { apiEvent } from '../../integration/support/apiEvent.js';
import { sqsRecord } from '../../unit/messaging/factories.js';
import { ratingRequest, taskSolved } from './bonusHarness.js';

/**
 * The amount of a solution through the REAL rating route and the REAL consumer, with DynamoDB
 * mocked (aws-sdk-client-mock): the rating route's UpdateItem is applied to an in-memory rating
 * item as DynamoDB would apply it, and the consumer's batch read answers from that item. Ratings
 * and the TaskSolved reach bonus in every order; the amount must not change.
 */
const TABLE = 'bonus';
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' }));
const sqs = new SQSClient({ region: 'eu-west-1' });
const docMock = mockClient(doc);
const sqsMock = mockClient(sqs);
const api = createBonusApi({ doc, tableName: TABLE });
const consumer = createBonusConsumer({
  perRatingPoint: 100,
  clients: { doc, sqs },
  tableName: TABLE,
  queueUrl: 'https://sqs.eu-west-1.amazonaws.com/111111111111/bonus',
  deadLetterQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/111111111111/bonus-dlq',
  parking: { baseDelaySeconds: 1, maxAttempts: 5 },
});

const managerUid = randomUUID();
const taskUid = randomUUID();
let ratingItem: { history: RatingVersion[]; versions: Set<number> } | undefined;

beforeEach(() => {
  ratingItem = undefined;
  docMock.reset();
  sqsMock.reset();
  sqsMock.on(SendMessageCommand).resolves({ MessageId: 'm' });
  // The rating route: `SET history = list_append(...) ADD versions :versionSet` unless the version is there.
  docMock.on(UpdateCommand).callsFake((input: UpdateCommandInput) => {
    const values = input.ExpressionAttributeValues!;
    if (ratingItem?.versions.has(values[':version'])) throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
    ratingItem ??= { history: [], versions: new Set() };
    ratingItem.history.push(...(values[':entry'] as RatingVersion[]));
    ratingItem.versions.add(values[':version']);
    return {};
  });
  docMock.on(GetCommand).callsFake(() => ({ Item: ratingItem && { ...bonusKeys.rating(taskUid), ...ratingItem } }));
  docMock.on(BatchGetCommand).callsFake((input: BatchGetCommandInput) => {
    const keys = input.RequestItems![TABLE]!.Keys!;
    const items = keys.flatMap((key): Record<string, unknown>[] => {
      if (key.pk === bonusKeys.manager(managerUid).pk && key.sk === 'MANAGER') return [{ ...key, manager_uid: managerUid, payout_account: 'ACC', version: 1 }];
      if (key.sk === 'RATING' && ratingItem) return [{ ...key, task_uid: taskUid, ...ratingItem }];
      return [];
    });
    return { Responses: { [TABLE]: items } };
  });
  docMock.on(TransactWriteCommand).resolves({});
});

const rate = async (rating: number, version: number, ratedAt: string) => {
  const answer = await api(apiEvent(ratingRequest(taskUid, rating, version, ratedAt)));
  expect(answer.statusCode).toBe(200);
};
/** The amounts written to ledger entries so far. */
const credited = () =>
  docMock
    .commandCalls(TransactWriteCommand)
    .flatMap((call) => (call.args[0].input as TransactWriteCommandInput).TransactItems!)
    .filter((item) => item.Put?.Item?.item_type === 'ledger')
    .map((item) => ({ amount: item.Put!.Item!.amount, rating_version: item.Put!.Item!.rating_version }));
const parked = () => sqsMock.commandCalls(SendMessageCommand).map((call) => call.args[0].input);

type Step = 'v1' | 'v2' | 'solved';

/** Every order of the three arrivals. */
const ORDERS: Step[][] = [
  ['v1', 'v2', 'solved'],
  ['v1', 'solved', 'v2'],
  ['v2', 'v1', 'solved'],
  ['v2', 'solved', 'v1'],
  ['solved', 'v1', 'v2'],
  ['solved', 'v2', 'v1'],
];

/** Feeds the arrivals in `order`; a parked TaskSolved comes back after each later arrival, as SQS would. */
async function arrive(order: Step[], v1: [number, string], v2: [number, string], solvedAt: string) {
  const event = taskSolved(taskUid, managerUid, randomUUID(), solvedAt);
  let waiting = false;
  for (const step of order) {
    if (step === 'v1') await rate(v1[0], 1, v1[1]);
    if (step === 'v2') await rate(v2[0], 2, v2[1]);
    if (step === 'solved' || waiting) {
      const before = parked().length;
      const attempt = waiting ? parked().length : undefined;
      expect(await consumer({ Records: [sqsRecord(event, { parkedAttempt: attempt })] })).toEqual({ batchItemFailures: [] });
      waiting = parked().length > before;
    }
  }
  return waiting;
}

describe('the amount of a solution does not depend on arrival order (rating route + consumer, DynamoDB mocked)', () => {
  it.each(ORDERS.map((order) => [order.join(' -> '), order] as const))('rate 1, solve, re-rate 5; arrivals %s: 100', async (_, order) => {
    const stillWaiting = await arrive(order, [1, '2026-11-24T10:00:00.000Z'], [5, '2026-11-24T10:10:00.000Z'], '2026-11-24T10:05:00.000Z');
    expect(stillWaiting).toBe(false);
    expect(credited()).toEqual([{ amount: 100, rating_version: 1 }]);
  });

  it.each(ORDERS.map((order) => [order.join(' -> '), order] as const))('rate 5, solve, re-rate 1; arrivals %s: 500', async (_, order) => {
    await arrive(order, [5, '2026-11-24T10:00:00.000Z'], [1, '2026-11-24T10:10:00.000Z'], '2026-11-24T10:05:00.000Z');
    expect(credited()).toEqual([{ amount: 500, rating_version: 1 }]);
  });

  it.each(ORDERS.map((order) => [order.join(' -> '), order] as const))('solve, rate 2, re-rate 4; arrivals %s: 200 (the first rating after the solve)', async (_, order) => {
    await arrive(order, [2, '2026-11-24T10:10:00.000Z'], [4, '2026-11-24T10:20:00.000Z'], '2026-11-24T10:05:00.000Z');
    expect(credited()).toEqual([{ amount: 200, rating_version: 1 }]);
  });

  const beforeTheSolve = (order: Step[]) => arrive(order, [1, '2026-11-24T10:00:00.000Z'], [5, '2026-11-24T10:01:00.000Z'], '2026-11-24T10:05:00.000Z');

  /** v1 reaches bonus alone (v2 still on its way) while the TaskSolved is processed. */
  const v2LateBehindV1 = (order: Step[]) => order.indexOf('v1') < order.indexOf('v2') && order.indexOf('solved') < order.indexOf('v2');

  it.each(ORDERS.filter((order) => !v2LateBehindV1(order)).map((order) => [order.join(' -> '), order] as const))('rate 1, re-rate 5, solve; arrivals %s: 500', async (_, order) => {
    await beforeTheSolve(order);
    expect(credited()).toEqual([{ amount: 500, rating_version: 2 }]);
  });

  it.each(ORDERS.filter(v2LateBehindV1).map((order) => [order.join(' -> '), order] as const))(
    'the documented limit: a version rated before the solve whose call is still on its way is not waited for (%s: 100)',
    async (_, order) => {
      // Bonus cannot know that v2 exists: v1 is the newest version it knows, rated before the solve.
      await beforeTheSolve(order);
      expect(credited()).toEqual([{ amount: 100, rating_version: 1 }]);
    },
  );
});
