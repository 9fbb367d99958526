/** One entry of `TransactionCanceledException.CancellationReasons`, aligned with the request's items. */
export interface CancellationReason {
  Code?: string;
  Message?: string;
}

/**
 * The per-item cancellation codes of a failed `TransactWriteItems`, or `undefined` when the error
 * is not a transaction cancellation. Index `i` belongs to the `i`-th item of the request;
 * `'None'` marks items that did not cause the cancellation.
 *
 * @example
 * ```ts
 * const reasons = cancellationReasons(error);
 * if (reasons?.[markerIndex]?.Code === 'ConditionalCheckFailed') { ... } // duplicate
 * ```
 */
export function cancellationReasons(error: unknown): CancellationReason[] | undefined {
  if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') return undefined;
  const reasons = (error as Error & { CancellationReasons?: CancellationReason[] }).CancellationReasons;
  return Array.isArray(reasons) ? reasons : [];
}

/**
 * The per-item cancellation codes of a refused transaction (`'None'` for items that did not cause
 * it), or `undefined` when `error` is something else (rethrow it).
 *
 * @example
 * ```ts
 * const [taskCheck, assignmentUpdate] = cancellationCodes(error) ?? [];
 * if (taskCheck === 'ConditionalCheckFailed') throw new WriteRaced('the task changed');
 * ```
 */
export function cancellationCodes(error: unknown): string[] | undefined {
  return cancellationReasons(error)?.map((reason) => reason.Code ?? 'None');
}
