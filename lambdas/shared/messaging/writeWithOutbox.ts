import { TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { validateEvent, type AnyEvent } from '../registry/index.js';
import { MAX_PUT_EVENTS_BYTES, MAX_TRANSACT_ITEMS } from './constants.js';
import { EventTooLargeError, TransactionTooLargeError } from './errors.js';
import { outboxPut } from './outboxPut.js';
import { putEventsEntry } from './putEventsEntry.js';
import { putEventsEntrySize } from './putEventsEntrySize.js';
import type { OutboxWrite, TransactWriteItem } from './types.js';

export interface WriteWithOutboxOptions {
  /** Makes a retried call idempotent for 10 minutes (DynamoDB `ClientRequestToken`). */
  clientRequestToken?: string;
  /** Clock for the outbox TTL; tests pass a fixed date. */
  now?: Date;
}

/**
 * Commits state changes and the events they produce in ONE `TransactWriteItems`: either the
 * change and its outbox rows are stored together, or nothing is (a failing condition on a change
 * cancels the outbox rows too). The table's stream then feeds the outbox publisher.
 *
 * Every event is validated with the registry BEFORE anything is written, and checked against the
 * PutEvents entry size (an event that could never be published must not be committed).
 *
 * @throws `EventValidationError` | `UnknownEventError` for an invalid event (nothing written)
 * @throws {@link TransactionTooLargeError} above 100 items (nothing written)
 * @throws {@link EventTooLargeError} for an event above 256 KB on the bus (nothing written)
 * @throws `TransactionCanceledException` from DynamoDB when a condition fails (nothing written)
 *
 * @example
 * ```ts
 * const event = buildEvent('TaskSolved', '0', payload, { producer: 'hiring' });
 * await writeWithOutbox(doc, process.env.TABLE_NAME!, {
 *   changes: [{ Put: { TableName, Item: solution, ConditionExpression: 'attribute_not_exists(pk)' } }],
 *   events: [event],
 * });
 * ```
 */
export async function writeWithOutbox(
  doc: DynamoDBDocumentClient,
  tableName: string,
  write: OutboxWrite<unknown>,
  options: WriteWithOutboxOptions = {},
): Promise<AnyEvent[]> {
  const events = write.events.map((event) => validateEvent(event));
  const itemCount = write.changes.length + events.length;
  if (itemCount > MAX_TRANSACT_ITEMS) throw new TransactionTooLargeError(itemCount, MAX_TRANSACT_ITEMS);
  for (const event of events) {
    const size = putEventsEntrySize(putEventsEntry(event, 'size-check'));
    if (size > MAX_PUT_EVENTS_BYTES) throw new EventTooLargeError(event.event_id, size, MAX_PUT_EVENTS_BYTES);
  }
  if (itemCount === 0) return events;
  const transactItems: TransactWriteItem[] = [
    ...write.changes,
    ...events.map((event) => outboxPut(tableName, event, options.now)),
  ];
  await doc.send(
    new TransactWriteCommand({ TransactItems: transactItems, ClientRequestToken: options.clientRequestToken }),
  );
  return events;
}
