import { BatchGetCommand, type DynamoDBDocumentClient, type NativeAttributeValue } from '@aws-sdk/lib-dynamodb';
import { MAX_BATCH_GET_KEYS } from '../constants.js';
import type { RetryBudget } from './retryBudget.js';
import { keyId, tableKey } from './tableKey.js';
import type { ReadItems, TableKey } from './types.js';

type Item = Record<string, NativeAttributeValue>;

/** `BatchGetItem` kept returning `UnprocessedKeys` until the retry budget was spent (transient). */
export class UnprocessedKeysError extends Error {
  constructor(readonly unprocessed: number) {
    super(`BatchGetItem left ${unprocessed} key(s) unprocessed until the retry budget was spent`);
    this.name = 'UnprocessedKeysError';
  }
}

export interface ReadBatchInput {
  doc: DynamoDBDocumentClient;
  tableName: string;
  keys: readonly TableKey[];
  budget: RetryBudget;
  /** Called for each round of unprocessed keys that is retried. */
  onUnprocessed?: (count: number, attempt: number) => void;
}

/**
 * Reads `keys` (deduplicated) from one table with strongly consistent `BatchGetItem` calls of at
 * most 100 keys, in parallel; `UnprocessedKeys` (DynamoDB's answer under throttling or above
 * 16 MB) are asked again with jittered backoff while the budget lasts.
 *
 * @throws {@link UnprocessedKeysError} when keys are still unprocessed at the deadline; any error of the SDK call
 *
 * @example
 * ```ts
 * const read = await readBatch({ doc, tableName, keys: [managerKey, ratingKey], budget });
 * const manager = read.get<ManagerItem>(managerKey);
 * ```
 */
export async function readBatch(input: ReadBatchInput): Promise<ReadItems> {
  const { doc, tableName, budget } = input;
  const unique = new Map<string, TableKey>();
  for (const key of input.keys) unique.set(keyId(tableName, key), tableKey(key));
  const found = new Map<string, Item>();
  const keys = [...unique.values()];
  const chunks: TableKey[][] = [];
  for (let i = 0; i < keys.length; i += MAX_BATCH_GET_KEYS) chunks.push(keys.slice(i, i + MAX_BATCH_GET_KEYS));

  await Promise.all(
    chunks.map(async (chunk) => {
      let pending: Item[] = chunk as unknown as Item[];
      for (let attempt = 1; pending.length > 0; attempt += 1) {
        const answer = await doc.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } } }));
        for (const item of answer.Responses?.[tableName] ?? []) found.set(keyId(tableName, item), item);
        pending = answer.UnprocessedKeys?.[tableName]?.Keys ?? [];
        if (pending.length === 0) break;
        input.onUnprocessed?.(pending.length, attempt);
        if ((await budget.pause(attempt)) === undefined) throw new UnprocessedKeysError(pending.length);
      }
    }),
  );
  return { get: <T>(key: TableKey) => found.get(keyId(tableName, key)) as T | undefined };
}
