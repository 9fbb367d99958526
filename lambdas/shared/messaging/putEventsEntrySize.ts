import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';

const bytes = (value: string | undefined): number => (value ? Buffer.byteLength(value, 'utf8') : 0);

/**
 * Size of a PutEvents entry as EventBridge counts it against the 256 KB request limit
 * ("Calculating PutEvents event entry size": Time 14 bytes, Source, DetailType, Detail and
 * Resources in UTF-8).
 *
 * @example
 * ```ts
 * if (putEventsEntrySize(entry) > MAX_PUT_EVENTS_BYTES) throw new Error('too large');
 * ```
 */
export function putEventsEntrySize(entry: PutEventsRequestEntry): number {
  let size = entry.Time ? 14 : 0;
  size += bytes(entry.Source) + bytes(entry.DetailType) + bytes(entry.Detail);
  for (const resource of entry.Resources ?? []) size += bytes(resource);
  return size;
}
