import type { AnyEvent } from '../registry/index.js';
import {
  OUTBOX_ITEM_TYPE,
  OUTBOX_PK_PREFIX,
  OUTBOX_SK,
  OUTBOX_TTL_SECONDS,
} from './constants.js';
import type { OutboxRecord } from './types.js';

/**
 * Builds the outbox row for an event: `pk = OUTBOX#<event_id>`, `sk = OUTBOX`, the envelope as a
 * map, a TTL that outlives every failure message pointing at it (`OUTBOX_TTL_DAYS`, 30), and the sparse `gsi1` keys (`OUTBOX#<yyyy-mm-dd>`, `<produced_at>#<event_id>`)
 * that let the republisher find events by time after a stream batch was given up on.
 *
 * `produced_at` is normalised to UTC ISO so that GSI sort keys compare as times.
 *
 * @example
 * ```ts
 * const row = outboxItem(event);
 * await doc.send(new PutCommand({ TableName, Item: row })); // usually inside a transaction: see outboxPut
 * ```
 */
export function outboxItem(event: AnyEvent, now: Date = new Date()): OutboxRecord {
  const producedAt = normaliseTimestamp(event.produced_at);
  return {
    pk: `${OUTBOX_PK_PREFIX}${event.event_id}`,
    sk: OUTBOX_SK,
    item_type: OUTBOX_ITEM_TYPE,
    event: { ...event } as Record<string, unknown>,
    gsi1pk: `${OUTBOX_PK_PREFIX}${producedAt.slice(0, 10)}`,
    gsi1sk: `${producedAt}#${event.event_id}`,
    expires_at: Math.floor(now.getTime() / 1000) + OUTBOX_TTL_SECONDS,
  };
}

/** RFC 3339 with any offset -> `YYYY-MM-DDTHH:mm:ss.sssZ`; left as is when unparsable. */
export function normaliseTimestamp(value: string): string {
  const time = Date.parse(value);
  return Number.isNaN(time) ? value : new Date(time).toISOString();
}
