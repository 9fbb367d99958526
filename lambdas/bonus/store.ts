import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../shared/http/index.js';
import type { RatingRequest } from '../shared/contracts/internalRoutes.js';
import { bonusKeys, type RatingItem } from './keys.js';

/**
 * Versions one task's history keeps (~60 bytes each, so the item stays far below DynamoDB's
 * 400 KB and a batch read of it stays cheap). Hiring versions a rating per human re-rating.
 */
export const MAX_RATING_VERSIONS = 1_000;

const isConditionFailed = (error: unknown) => (error as { name?: string } | null)?.name === 'ConditionalCheckFailedException';

/**
 * Adds one version to the task's rating history (one item per task) with ONE `UpdateItem`:
 * appended to `history`, its number added to the `versions` set, on condition that the version is
 * not there yet. Idempotent (a repeated call changes nothing) and order-free (versions may arrive
 * in any order; every one is kept, which is what crediting by `solved_at` needs).
 *
 * @returns `stored`, or `known` when the version was already there
 * @throws {@link ConflictError} `rating_history_full` above {@link MAX_RATING_VERSIONS} versions
 *
 * @example
 * ```ts
 * await storeRatingVersion(doc, tableName, { task_uid, rating: 4, version: 2, rated_at }); // 'stored'
 * ```
 */
export async function storeRatingVersion(doc: DynamoDBDocumentClient, tableName: string, rating: RatingRequest): Promise<'stored' | 'known'> {
  const key = bonusKeys.rating(rating.task_uid);
  try {
    await doc.send(
      new UpdateCommand({
        TableName: tableName,
        Key: key,
        UpdateExpression: 'SET history = list_append(if_not_exists(history, :none), :entry), task_uid = :task, item_type = :type ADD versions :versionSet',
        // `#legacy`: items written before the history carry the one version they knew at the top level.
        ConditionExpression:
          'NOT contains(versions, :version) AND (attribute_not_exists(#legacy) OR #legacy <> :version) AND (attribute_not_exists(history) OR size(history) < :max)',
        ExpressionAttributeNames: { '#legacy': 'version' },
        ExpressionAttributeValues: {
          ':none': [],
          ':entry': [{ version: rating.version, rating: rating.rating, rated_at: rating.rated_at }],
          ':task': rating.task_uid,
          ':type': 'rating',
          ':versionSet': new Set([rating.version]),
          ':version': rating.version,
          ':max': MAX_RATING_VERSIONS,
        },
      }),
    );
    return 'stored';
  } catch (error) {
    if (!isConditionFailed(error)) throw error;
  }
  const { Item } = await doc.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
  const item = Item as RatingItem | undefined;
  if (item?.versions?.has(rating.version) || item?.version === rating.version) return 'known';
  throw new ConflictError(
    `task ${rating.task_uid} already has ${MAX_RATING_VERSIONS} rating versions, the most bonus keeps per task`,
    'rating_history_full',
  );
}
