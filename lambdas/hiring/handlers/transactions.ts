import { cancellationReasons } from '../../shared/messaging/index.js';
import type { HttpResponse, IdempotencyContext, TransactItem } from '../../shared/http/index.js';
import type { HttpRequest } from '../../shared/http/index.js';
import { UUID_V4 } from './requireUuidV4.js';

/**
 * The per-item cancellation codes of a refused transaction (`'None'` for items that did not cause
 * it), or `undefined` when `error` is something else (rethrow it).
 */
export function cancellationCodes(error: unknown): string[] | undefined {
  return cancellationReasons(error)?.map((reason) => reason.Code ?? 'None');
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
