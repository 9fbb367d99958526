import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { OUTBOX_INDEX_NAME, OUTBOX_INDEX_PARTITION_KEY, OUTBOX_INDEX_SORT_KEY, OUTBOX_PK_PREFIX } from '../constants.js';
import type { EnvelopeLike } from '../putEventsEntry.js';
import type { TimeWindow } from './streamBatchWindow.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Outbox events whose `produced_at` falls in `window`, oldest first, read from the sparse `gsi1`
 * (one partition per UTC day, sort key `<produced_at ISO>#<event_id>`).
 *
 * @example
 * ```ts
 * const events = await queryOutboxWindow(doc, tableName, { from: Date.parse(a), to: Date.parse(b) });
 * ```
 */
export async function queryOutboxWindow(doc: DynamoDBDocumentClient, tableName: string, window: TimeWindow): Promise<EnvelopeLike[]> {
  const fromIso = new Date(window.from).toISOString();
  const toIso = new Date(window.to).toISOString();
  const events: EnvelopeLike[] = [];
  for (let day = Math.floor(window.from / DAY_MS) * DAY_MS; day <= window.to; day += DAY_MS) {
    const partition = `${OUTBOX_PK_PREFIX}${new Date(day).toISOString().slice(0, 10)}`;
    let exclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await doc.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: OUTBOX_INDEX_NAME,
          KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
          ExpressionAttributeNames: { '#pk': OUTBOX_INDEX_PARTITION_KEY, '#sk': OUTBOX_INDEX_SORT_KEY },
          // '~' sorts after '#', so every event_id of the last millisecond is included.
          ExpressionAttributeValues: { ':pk': partition, ':from': fromIso, ':to': `${toIso}~` },
          ExclusiveStartKey: exclusiveStartKey,
        }),
      );
      for (const item of page.Items ?? []) {
        if (item.event && typeof item.event === 'object') events.push(item.event as EnvelopeLike);
      }
      exclusiveStartKey = page.LastEvaluatedKey;
    } while (exclusiveStartKey);
  }
  return events;
}
