import { retryWrite } from '../../shared/dynamodb/index.js';
import { ValidationError, type RouteHandler } from '../../shared/http/index.js';
import { storeRatingVersion } from '../store.js';
import type { BonusContext, PutRatingBody } from '../types.js';

/**
 * `PUT /internal/tasks/{task_uid}/rating` (called by hiring) -> 200 {task_uid, applied}.
 *
 * hiring sends every rating with a version and its time: bonus keeps every version (a solution
 * earns the rating in force when it was solved), in whatever order they arrive; a redelivered call
 * (sync attempt, then the deferred one) changes nothing (`applied: false`). Concurrent deliveries
 * for one task conflict on its rating item: retried (`retryWrite`).
 */
export function putRating(ctx: BonusContext): RouteHandler<PutRatingBody> {
  return async ({ pathParameters, body, logger }) => {
    if (body.task_uid !== pathParameters.task_uid) {
      throw new ValidationError('body.task_uid', 'body.task_uid must equal the task_uid in the path');
    }
    const stored = await retryWrite(() => storeRatingVersion(ctx.doc, ctx.tableName, body), { what: `the rating of task ${body.task_uid}`, logger });
    return { status: 200, body: { task_uid: body.task_uid, applied: stored === 'stored' } };
  };
}
