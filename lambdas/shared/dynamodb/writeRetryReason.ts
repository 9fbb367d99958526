import { cancellationReasons } from '../messaging/cancellationReasons.js';
import { RETRYABLE_CANCELLATION_CODES, RETRYABLE_ERROR_NAMES } from './constants.js';

/** Why a failed write may succeed by running again: another transaction held an item, or DynamoDB throttled. */
export type WriteRetryReason = 'TransactionConflict' | 'throttled';

/**
 * `'TransactionConflict'` when DynamoDB refused the write because an item was part of another
 * in-flight transaction (a cancelled `TransactWriteItems` with a `TransactionConflict` reason, or a
 * `TransactionConflictException` on a single-item write), `'throttled'` for throttling, `undefined`
 * for anything else (a failed condition is the caller's business: it knows what the condition meant).
 *
 * @example
 * ```ts
 * if (writeRetryReason(error)) { await sleep(backoff); continue; }
 * ```
 */
export function writeRetryReason(error: unknown): WriteRetryReason | undefined {
  if (!(error instanceof Error)) return undefined;
  const reasons = cancellationReasons(error);
  if (reasons) {
    if (reasons.some((reason) => reason.Code === 'TransactionConflict')) return 'TransactionConflict';
    return reasons.some((reason) => reason.Code !== undefined && RETRYABLE_CANCELLATION_CODES.has(reason.Code)) ? 'throttled' : undefined;
  }
  if (error.name === 'TransactionConflictException') return 'TransactionConflict';
  return RETRYABLE_ERROR_NAMES.has(error.name) ? 'throttled' : undefined;
}
