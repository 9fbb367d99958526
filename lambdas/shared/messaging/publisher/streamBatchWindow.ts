/** The part of a Lambda on-failure record (DynamoDB stream source) the republisher uses. */
export interface DDBStreamBatchInfo {
  shardId?: string;
  startSequenceNumber?: string;
  endSequenceNumber?: string;
  approximateArrivalOfFirstRecord: string;
  approximateArrivalOfLastRecord: string;
  batchSize?: number;
  streamArn?: string;
}

/** A closed time window in epoch milliseconds. */
export interface TimeWindow {
  from: number;
  to: number;
}

/**
 * The time window to search the outbox for, from an on-failure message body. Such a message
 * carries only the shard, the sequence range and the approximate arrival times of the first
 * and last record (not the records), so the republisher looks the events up by time, widened by
 * `marginSeconds` on each side (produced_at is stamped slightly before the write; arrival times
 * are approximate). Returns `undefined` for a body that is not such a message.
 *
 * @example
 * ```ts
 * const window = streamBatchWindow(message.Body, 300);
 * ```
 */
export function streamBatchWindow(body: string | undefined, marginSeconds: number): (TimeWindow & { info: DDBStreamBatchInfo }) | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body ?? '');
  } catch {
    return undefined;
  }
  const info = (parsed as { DDBStreamBatchInfo?: DDBStreamBatchInfo } | null)?.DDBStreamBatchInfo;
  if (!info) return undefined;
  const first = Date.parse(info.approximateArrivalOfFirstRecord);
  const last = Date.parse(info.approximateArrivalOfLastRecord);
  if (Number.isNaN(first) || Number.isNaN(last)) return undefined;
  const margin = marginSeconds * 1000;
  return { from: Math.min(first, last) - margin, to: Math.max(first, last) + margin, info };
}
