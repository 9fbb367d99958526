import { MAX_PUT_EVENTS_BYTES, MAX_PUT_EVENTS_ENTRIES } from './constants.js';
import { putEventsEntrySize } from './putEventsEntrySize.js';
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';

/**
 * Splits items into consecutive PutEvents calls of at most 10 entries and 256 KB, keeping
 * their order (the publisher relies on it to find the first failure in stream order).
 * An entry that alone exceeds the byte limit gets a chunk of its own; PutEvents will reject it.
 *
 * @example
 * ```ts
 * for (const chunk of chunkEntries(records, (r) => r.entry)) await send(chunk);
 * ```
 */
export function chunkEntries<T>(
  items: readonly T[],
  entryOf: (item: T) => PutEventsRequestEntry,
  limits: { maxEntries?: number; maxBytes?: number } = {},
): T[][] {
  const maxEntries = limits.maxEntries ?? MAX_PUT_EVENTS_ENTRIES;
  const maxBytes = limits.maxBytes ?? MAX_PUT_EVENTS_BYTES;
  const chunks: T[][] = [];
  let current: T[] = [];
  let currentBytes = 0;
  for (const item of items) {
    const size = putEventsEntrySize(entryOf(item));
    if (current.length > 0 && (current.length >= maxEntries || currentBytes + size > maxBytes)) {
      chunks.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(item);
    currentBytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
