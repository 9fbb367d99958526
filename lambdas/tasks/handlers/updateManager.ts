import { retryWrite, WriteRaced } from '../../shared/dynamodb/index.js';
import { writeWithOutbox } from '../../shared/messaging/index.js';
import { NotFoundError, type HttpRequest, type HttpResponse, type RouteHandler } from '../../shared/http/index.js';
import type { TasksApiContext } from '../types.js';
import { changeManager, managerView } from '../domain/manager.js';
import { managerEvents } from '../migrations/producers.js';
import { failedConditionIndex, managerItem, putIfVersion } from '../store.js';
import type { UpdateManagerBody } from '../types.js';

/**
 * `PUT /managers/{manager_uid}` -> 200 the manager. Version + 1 under an optimistic condition on
 * the version read, with `ManagerUpdated` v1 in the same transaction. A lost race re-reads and
 * applies the change on the newer version, so concurrent updates are all applied in some order
 * (none is lost); transaction conflicts are retried too (`retryWrite`); 409 `write_conflict` when
 * the contention outlasts the retry budget.
 */
export function updateManager(ctx: TasksApiContext): RouteHandler<UpdateManagerBody> {
  return async ({ pathParameters, body, logger }: HttpRequest<UpdateManagerBody>): Promise<HttpResponse> => {
    const managerUid = pathParameters.manager_uid!;
    return retryWrite(async () => {
      const current = await ctx.store.getManager(managerUid);
      if (!current) throw new NotFoundError(`manager ${managerUid} not found`);
      const next = changeManager(current, body, ctx.now());
      try {
        await writeWithOutbox(ctx.doc, ctx.tableName, {
          changes: [putIfVersion(ctx.tableName, managerItem(next), current.version)],
          events: managerEvents(next, ctx.steps, ctx.now()),
        });
      } catch (error) {
        if (failedConditionIndex(error) === 0) throw new WriteRaced('the manager changed meanwhile', { cause: error });
        throw error;
      }
      return { status: 200, body: managerView(next) };
    }, { what: `manager ${managerUid}`, logger });
  };
}
