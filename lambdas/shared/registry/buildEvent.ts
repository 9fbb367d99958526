import { randomUUID } from 'node:crypto';
import { EventValidationError } from './errors.js';
import { getValidator } from './getValidator.js';
import { toValidationIssues } from './toValidationIssues.js';
import type { BuildEventMeta, EventName, EventOf, EventPayload, EventVersion } from './types.js';

/**
 * Builds a complete event envelope around `payload` and validates it before anything is
 * published: fills `event_id` (`crypto.randomUUID()` unless given) and `produced_at` (now
 * unless given), copies producer and the optional correlation/causation ids.
 *
 * Throws {@link EventValidationError} when the result does not match the schema (e.g. a
 * producer that does not own the event, or a malformed id) and {@link UnknownEventError}
 * for an unknown name/version.
 *
 * @example
 * ```ts
 * import { buildEvent } from '../shared/registry/index.js';
 *
 * const event = buildEvent('TaskSolved', '0', {
 *   task_uid, task_manager_uid, candidate_uid, solved_at: new Date().toISOString(),
 * }, { producer: 'hiring', correlationId });
 * // event.event_id, event.produced_at are filled; event is valid TaskSolved v0
 * ```
 */
export function buildEvent<N extends EventName, V extends EventVersion<N>>(
  name: N,
  version: V,
  payload: EventPayload<N, V>,
  meta: BuildEventMeta,
): EventOf<N, V> {
  const validate = getValidator(name, version);
  const producedAt = meta.producedAt ?? new Date();
  if (!(producedAt instanceof Date) || Number.isNaN(producedAt.getTime())) {
    throw new EventValidationError(name, version, [{ field: 'produced_at', reason: 'must be a valid Date' }]);
  }
  const event: Record<string, unknown> = {
    event_id: meta.eventId ?? randomUUID(),
    event_name: name,
    event_version: version,
    produced_at: producedAt.toISOString(),
    producer: meta.producer,
  };
  if (meta.correlationId !== undefined) event.correlation_id = meta.correlationId;
  if (meta.causationId !== undefined) event.causation_id = meta.causationId;
  event.payload = payload;
  if (!validate(event)) {
    throw new EventValidationError(name, version, toValidationIssues(validate.errors));
  }
  return event as EventOf<N, V>;
}
