import { cancellationCodes } from '../../shared/messaging/index.js';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { callNowOrDefer, pendingCallPut, type ServiceCall } from '../../shared/calls/index.js';
import { retryWrite, WriteRaced } from '../../shared/dynamodb/index.js';
import { recordItems, requireUuidV4, HttpError, type HttpResponse, type RouteHandler } from '../../shared/http/index.js';
import type { RatingRequest } from '../../shared/contracts/internalRoutes.js';
import type { RatingItem, TaskItem } from '../keys.js';
import { ratingKey, taskKey } from '../keys.js';
import type { HiringContext, RateTaskBody } from '../types.js';
import { getItem } from '../store.js';

function ratingRequest(rating: RatingRequest): RatingRequest & Record<string, unknown> {
  return { task_uid: rating.task_uid, rating: rating.rating, version: rating.version, rated_at: rating.rated_at };
}

/** The durable call that tells bonus about a rating (its idempotency key is `call_id`). */
export function ratingCall(rating: Pick<RatingItem, 'task_uid' | 'rating' | 'version' | 'rated_at'>): ServiceCall {
  return {
    call_id: `rating-${rating.task_uid}-v${rating.version}`,
    target: 'bonus',
    method: 'PUT',
    path: `/internal/tasks/${rating.task_uid}/rating`,
    body: ratingRequest(rating),
  };
}

/**
 * `PUT /tasks/{task_uid}/rating` {rating} -> 200 {task_uid, rating, version}; 404 when hiring has
 * no copy of the task.
 *
 * The rating (version + 1, conditioned on the version read) and the pending call to bonus
 * (`PUT /internal/tasks/{task_uid}/rating`) commit in ONE transaction; then the call is tried at
 * once. Bonus down => still 200: the pending row is delivered later from the table stream.
 * A concurrent rating makes the condition fail: re-read and retry with the next version
 * (`retryWrite`, which also retries transaction conflicts and throttling; 409 `write_conflict` when
 * the contention outlasts its budget). Every 200 is a distinct version: no rating is lost.
 */
export function rateTask(ctx: HiringContext): RouteHandler<RateTaskBody> {
  return async (request) => {
    const taskUid = requireUuidV4('task_uid', request.pathParameters.task_uid);
    // Hiring's copy of a task is never deleted: checked once, not on every retry.
    const task = await getItem<TaskItem>(ctx.doc, ctx.tableName, taskKey(taskUid));
    if (!task) throw new HttpError(404, 'not_found', `task ${taskUid} not found`, { field: 'path.task_uid' });
    const { rating, call, response } = await retryWrite(async () => {
      const current = await getItem<RatingItem>(ctx.doc, ctx.tableName, ratingKey(taskUid));
      const rating: RatingItem = {
        ...ratingKey(taskUid),
        item_type: 'rating',
        task_uid: taskUid,
        rating: request.body.rating,
        version: (current?.version ?? 0) + 1,
        rated_at: ctx.now().toISOString(),
      };
      const call = ratingCall(rating);
      const response: HttpResponse = { status: 200, body: { task_uid: taskUid, rating: rating.rating, version: rating.version } };
      try {
        await ctx.doc.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: ctx.tableName,
                  Item: rating,
                  ConditionExpression: current ? 'version = :read' : 'attribute_not_exists(pk)',
                  ExpressionAttributeValues: current ? { ':read': current.version } : undefined,
                },
              },
              pendingCallPut(ctx.tableName, call, ctx.now()),
              ...recordItems(request.idempotency, response),
            ],
          }),
        );
      } catch (error) {
        if (cancellationCodes(error)?.[0] === 'ConditionalCheckFailed') throw new WriteRaced('a concurrent rating took the next version', { cause: error });
        throw error;
      }
      return { rating, call, response };
    }, { what: `the rating of task ${taskUid}`, logger: request.logger });
    const outcome = await callNowOrDefer(call, {
      doc: ctx.doc,
      tableName: ctx.tableName,
      baseUrls: { bonus: ctx.bonusApiUrl },
      retry: ctx.callRetry,
      timeoutMs: ctx.callTimeoutMs,
    });
    request.logger.info('task rated', { task_uid: taskUid, version: rating.version, bonus_delivered: outcome.delivered });
    return response;
  };
}
