import { PROCESSED_PK_PREFIX, PROCESSED_SK, PROCESSED_TTL_SECONDS } from '../constants.js';
import type { TransactWriteItem } from '../types.js';

/** The part of an event the marker records. */
export interface MarkedEvent {
  event_id: string;
  event_name: string;
  event_version: string;
}

/** Key of the processed-event marker of `eventId` for `consumer` (what the batch read looks up). */
export function processedMarkerKey(consumer: string, eventId: string): { pk: string; sk: string } {
  return { pk: `${PROCESSED_PK_PREFIX}${consumer}#${eventId}`, sk: PROCESSED_SK };
}

/**
 * The processed-event marker, `pk = PROCESSED#<consumer>#<event_id>`, `sk = PROCESSED`, written
 * with `attribute_not_exists(pk)` in the same transaction as the handler's effect: a redelivered
 * event cancels the transaction on this item (a duplicate), so its effect is applied once.
 * Kept `PROCESSED_TTL_DAYS` (68 days, TTL): longer than any redelivery path (the retention chain in constants.ts).
 *
 * @example
 * ```ts
 * await doc.send(new TransactWriteCommand({ TransactItems: [...effect, processedMarker(TABLE, 'bonus', event)] }));
 * ```
 */
export function processedMarker(tableName: string, consumer: string, event: MarkedEvent, now: Date = new Date()): TransactWriteItem {
  return {
    Put: {
      TableName: tableName,
      Item: {
        ...processedMarkerKey(consumer, event.event_id),
        item_type: 'processed',
        event_name: event.event_name,
        event_version: event.event_version,
        processed_at: now.toISOString(),
        expires_at: Math.floor(now.getTime() / 1000) + PROCESSED_TTL_SECONDS,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}
