import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { ledgerEntryFor } from '../../lambdas/bonus/domain/ledgerEntryFor.js';
import { ratingHistoryOf, ratingInForce } from '../../lambdas/bonus/domain/ratingInForce.js';
import { bonusKeys, type ManagerItem, type RatingItem } from '../../lambdas/bonus/keys.js';
import { parseRecordBody } from '../../lambdas/shared/messaging/consumer/parseRecordBody.js';
import { validateEvent, type EventOf } from '../../lambdas/shared/registry/index.js';

export interface PeerOptions {
  client: DynamoDBClient;
  tableName: string;
  /** Powertools' idempotency table (partition key `id`). */
  idempotencyTableName: string;
  perRatingPoint: number;
}

/**
 * The peer of the bench: the textbook Powertools consumer doing bonus's work. Powertools
 * `BatchProcessor` runs the records of a batch in parallel; each is wrapped by `makeIdempotent`
 * keyed on the event id (DynamoDB persistence: a PutItem claiming the key, an UpdateItem storing the
 * result), reads the manager and the task's rating history (2 consistent GetItem), and writes the
 * ledger entry and the balance `ADD` in one transaction — the same items, conditions and amounts as
 * the project's consumer (same domain functions).
 */
export function createPowertoolsPeer(options: PeerOptions): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  const doc = DynamoDBDocumentClient.from(options.client, { marshallOptions: { removeUndefinedValues: true } });
  const { tableName } = options;
  const persistenceStore = new DynamoDBPersistenceLayer({ tableName: options.idempotencyTableName, awsSdkV3Client: options.client });
  const config = new IdempotencyConfig({ eventKeyJmesPath: 'powertools_json(body).detail.event_id' });
  const get = async <T>(key: { pk: string; sk: string }) =>
    (await doc.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item as T | undefined;

  const credit = makeIdempotent(
    async (record: SQSRecord) => {
      const event = validateEvent(parseRecordBody(record)) as EventOf<'TaskSolved', '0'>;
      const { task_uid, task_manager_uid } = event.payload;
      const [manager, ratingItem] = await Promise.all([get<ManagerItem>(bonusKeys.manager(task_manager_uid)), get<RatingItem>(bonusKeys.rating(task_uid))]);
      const rating = ratingInForce(ratingHistoryOf(ratingItem), event.payload.solved_at);
      if (!manager || 'missing' in rating) throw new Error(`prerequisite missing for ${event.event_id}`);
      const entry = ledgerEntryFor(event, manager, rating, options.perRatingPoint, new Date());
      await doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: tableName,
                Item: { ...bonusKeys.ledgerEntry(task_manager_uid, entry.solved_at, event.event_id), item_type: 'ledger', ...entry },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Update: {
                TableName: tableName,
                Key: bonusKeys.balance(task_manager_uid),
                UpdateExpression: 'ADD balance :amount, entries :one SET manager_uid = :manager, updated_at = :now',
                ExpressionAttributeValues: { ':amount': entry.amount, ':one': 1, ':manager': task_manager_uid, ':now': entry.credited_at },
              },
            },
          ],
        }),
      );
      return { event_id: event.event_id, amount: entry.amount };
    },
    { persistenceStore, config },
  );

  return async (event, context) => {
    config.registerLambdaContext(context);
    const processor = new BatchProcessor(EventType.SQS);
    return processPartialResponse(event, credit, processor, { context, throwOnFullBatchFailure: false });
  };
}
