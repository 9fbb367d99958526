import type { ServiceCall } from '../../shared/calls/index.js';

/**
 * The legacy update_task call to tasks (task-update-request steps 0..4): `POST
 * /internal/tasks/{task_uid}/update-requests`; tasks records it once per `request_id`, the same
 * idempotency key the `TaskUpdateRequested` event carries from step 3.
 */
export function updateRequestCall(request: { request_id: string; task_uid: string; reason: string; requested_at: string }): ServiceCall {
  return {
    call_id: `update-request-${request.request_id}`,
    target: 'tasks',
    method: 'POST',
    path: `/internal/tasks/${request.task_uid}/update-requests`,
    body: { request_id: request.request_id, task_uid: request.task_uid, reason: request.reason, requested_at: request.requested_at },
  };
}
