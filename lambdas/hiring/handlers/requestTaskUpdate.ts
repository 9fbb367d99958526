import { randomUUID } from 'node:crypto';
import { retryWrite } from '../../shared/dynamodb/index.js';
import { correlationIdOf, recordItems, requireUuidV4, HttpError, type HttpResponse, type RouteHandler } from '../../shared/http/index.js';
import { cancellationCodes, writeWithOutbox } from '../../shared/messaging/index.js';
import { buildEvent } from '../../shared/registry/index.js';
import { callNowOrDefer, pendingCallPut } from '../../shared/calls/index.js';
import { linkBehaviour } from '../../shared/migrations/plan.js';
import { updateRequestCall } from '../migrations/updateRequestCall.js';
import { taskKey, updateRequestKey } from '../keys.js';
import type { HiringContext, RequestTaskUpdateBody } from '../types.js';
import { getItem } from '../store.js';

/**
 * `POST /tasks/{task_uid}/update-requests` {reason} -> 202 {request_id}; 404 when hiring has no
 * copy of the task. The request row, the outbox `TaskUpdateRequested` v0 (its `request_id` is the
 * idempotency key tasks deduplicates with) and the idempotency record commit in ONE transaction.
 * A retry with the same Idempotency-Key replays the same `request_id` and produces no second event.
 */
export function requestTaskUpdate(ctx: HiringContext): RouteHandler<RequestTaskUpdateBody> {
  return async (request) => {
    const taskUid = requireUuidV4('task_uid', request.pathParameters.task_uid);
    const notFound = () => new HttpError(404, 'not_found', `task ${taskUid} not found`, { field: 'path.task_uid' });
    if (!(await getItem(ctx.doc, ctx.tableName, taskKey(taskUid)))) throw notFound();
    const request_id = randomUUID();
    const now = ctx.now();
    const requested_at = now.toISOString();
    const response: HttpResponse = { status: 202, body: { request_id } };
    const event = buildEvent('TaskUpdateRequested', '0', { request_id, task_uid: taskUid, reason: request.body.reason, requested_at }, {
      producer: 'hiring',
      producedAt: now,
      correlationId: correlationIdOf(request),
    });
    // task-update-request: the event from step 3, the legacy update_task call until step 5 (both
    // carry request_id, tasks records the request once).
    const link = linkBehaviour(ctx.steps);
    const call = link.hiringCallsRequestUpdate ? updateRequestCall({ request_id, task_uid: taskUid, reason: request.body.reason, requested_at }) : undefined;
    const write = () =>
      writeWithOutbox(ctx.doc, ctx.tableName, {
        changes: [
          { ConditionCheck: { TableName: ctx.tableName, Key: taskKey(taskUid), ConditionExpression: 'attribute_exists(pk)' } },
          {
            Put: {
              TableName: ctx.tableName,
              Item: {
                ...updateRequestKey(taskUid, request_id),
                item_type: 'update_request',
                request_id,
                task_uid: taskUid,
                reason: request.body.reason,
                requested_at,
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          ...(call ? [pendingCallPut(ctx.tableName, call, now)] : []),
          ...recordItems(request.idempotency, response),
        ],
        events: link.hiringPublishesUpdateRequested ? [event] : [],
      });
    try {
      await retryWrite(write, { what: `an update request of task ${taskUid}`, logger: request.logger });
    } catch (error) {
      if (cancellationCodes(error)?.[0] === 'ConditionalCheckFailed') throw notFound();
      throw error;
    }
    if (call) {
      await callNowOrDefer(call, { doc: ctx.doc, tableName: ctx.tableName, baseUrls: { tasks: ctx.tasksApiUrl }, retry: ctx.callRetry, timeoutMs: ctx.callTimeoutMs });
    }
    return response;
  };
}
