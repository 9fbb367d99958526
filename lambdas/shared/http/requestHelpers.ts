import { UUID_V4 } from '../registry/constants.js';
import { ValidationError } from './errors.js';
import type { HttpRequest, HttpResponse, IdempotencyContext, TransactItem } from './types.js';

/**
 * The idempotency record of this request as a list to spread into the handler's transaction
 * (empty without an `Idempotency-Key`), so the effect and the record commit together.
 *
 * @example
 * ```ts
 * await writeWithOutbox(doc, tableName, { changes: [putCandidate, ...recordItems(request.idempotency, response)], events });
 * ```
 */
export function recordItems(idempotency: IdempotencyContext | undefined, response: HttpResponse): TransactItem[] {
  return idempotency ? [idempotency.recordItem(response)] : [];
}

/**
 * The caller's `X-Correlation-Id` when it is a uuid v4 (events carry it for tracing), else `undefined`.
 *
 * @example
 * ```ts
 * buildEvent('NewCandidate', '0', payload, { producer: 'hiring', correlationId: correlationIdOf(request) });
 * ```
 */
export function correlationIdOf(request: HttpRequest<unknown>): string | undefined {
  const value = request.headers['x-correlation-id'];
  return value !== undefined && UUID_V4.test(value) ? value : undefined;
}

/**
 * Checks a path parameter is a lowercase uuid v4 (the router accepts any uuid; ids that travel in
 * events must be v4). Throws a 400 naming `path.<name>`.
 *
 * @example
 * ```ts
 * const taskUid = requireUuidV4('task_uid', request.pathParameters.task_uid);
 * ```
 */
export function requireUuidV4(name: string, value: string | undefined): string {
  if (value === undefined || !UUID_V4.test(value)) {
    throw new ValidationError(`path.${name}`, `${name} must be a lowercase uuid v4`, 'invalid_parameter');
  }
  return value;
}
