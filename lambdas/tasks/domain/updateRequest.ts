import type { TaskUpdateRequestedV0Payload } from '../../shared/registry/generated/types.js';
import type { UpdateRequest } from '../keys.js';

/**
 * The update request recorded on a task from a `TaskUpdateRequested` v0 event. Its `request_id`
 * is hiring's idempotency key: the same request arriving twice (both ways during the migration,
 * or as two events) is recorded once.
 *
 * @example
 * ```ts
 * const request = updateRequestFromEvent(event.payload, new Date());
 * ```
 */
export function updateRequestFromEvent(payload: TaskUpdateRequestedV0Payload, now: Date): UpdateRequest {
  return {
    request_id: payload.request_id,
    task_uid: payload.task_uid,
    reason: payload.reason,
    requested_at: payload.requested_at,
    received_at: now.toISOString(),
  };
}
