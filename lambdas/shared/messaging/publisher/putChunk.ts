import { PutEventsCommand, type EventBridgeClient, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';

/** Outcome of one entry of a PutEvents call, aligned with the request's entries. */
export type EntryOutcome = { ok: true } | { ok: false; errorCode: string; errorMessage?: string };

/**
 * One PutEvents call, its outcome per entry. PutEvents answers 200 even when entries fail, so
 * each result entry is checked; an exception on the call (throttling, network, 5xx) fails every
 * entry of the call.
 *
 * @example
 * ```ts
 * const outcomes = await putChunk(eventBridge, entries);
 * ```
 */
export async function putChunk(eventBridge: EventBridgeClient, entries: PutEventsRequestEntry[]): Promise<EntryOutcome[]> {
  try {
    const response = await eventBridge.send(new PutEventsCommand({ Entries: entries }));
    const results = response.Entries ?? [];
    const anyFailed = (response.FailedEntryCount ?? 0) > 0;
    return entries.map((_, index) => {
      const result = results[index];
      if (result?.ErrorCode) return { ok: false, errorCode: result.ErrorCode, errorMessage: result.ErrorMessage };
      if (result?.EventId) return { ok: true };
      // No per-entry answer: only trust it as success when the call reported no failure.
      return anyFailed || results.length !== entries.length
        ? { ok: false, errorCode: 'MissingEntryResult' }
        : { ok: true };
    });
  } catch (error) {
    const errorCode = error instanceof Error ? error.name : 'UnknownError';
    const errorMessage = error instanceof Error ? error.message : String(error);
    return entries.map(() => ({ ok: false, errorCode, errorMessage }));
  }
}
