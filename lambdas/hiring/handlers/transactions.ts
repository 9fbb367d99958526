import { cancellationReasons } from '../../shared/messaging/index.js';
import type { HttpResponse, IdempotencyContext, TransactItem } from '../../shared/http/index.js';
import type { HttpRequest } from '../../shared/http/index.js';
import { UUID_V4 } from './requireUuidV4.js';

/** Cancellation codes that pass with time: the handler re-reads and tries again. */
const RETRYABLE_CODES = new Set(['TransactionConflict', 'ThrottlingError', 'ProvisionedThroughputExceeded', 'RequestLimitExceeded']);

/** How many times a handler re-reads and retries a transaction refused by a concurrent change. */
export const MAX_WRITE_ATTEMPTS = 5;

/**
 * The per-item cancellation codes of a refused transaction (`'None'` for items that did not cause
 * it), or `undefined` when `error` is something else (rethrow it).
 */
export function cancellationCodes(error: unknown): string[] | undefined {
  return cancellationReasons(error)?.map((reason) => reason.Code ?? 'None');
}

/** True when a refused transaction may succeed by simply running again. */
export function isRetryableCancellation(codes: readonly string[]): boolean {
  return codes.some((code) => RETRYABLE_CODES.has(code));
}

/** The idempotency record of this request as a list to spread into a transaction (empty without a key). */
export function recordItems(idempotency: IdempotencyContext | undefined, response: HttpResponse): TransactItem[] {
  return idempotency ? [idempotency.recordItem(response)] : [];
}

/** The caller's `X-Correlation-Id` when it is a uuid v4 (events carry it for tracing). */
export function correlationIdOf(request: HttpRequest<unknown>): string | undefined {
  const value = request.headers['x-correlation-id'];
  return value !== undefined && UUID_V4.test(value) ? value : undefined;
}
