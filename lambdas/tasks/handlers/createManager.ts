import { retryWrite } from '../../shared/dynamodb/index.js';
import { writeWithOutbox } from '../../shared/messaging/index.js';
import { recordItems, type HttpRequest, type HttpResponse, type RouteHandler } from '../../shared/http/index.js';
import type { TasksApiContext } from '../types.js';
import { newManager } from '../domain/manager.js';
import { managerEvents } from '../migrations/producers.js';
import { managerItem, putNew } from '../store.js';
import type { CreateManagerBody } from '../types.js';

/**
 * `POST /managers` -> 201 `{manager_uid}`. The manager (version 1), its `ManagerUpdated` v1 event
 * (outbox) and the idempotency record commit in one transaction.
 */
export function createManager(ctx: TasksApiContext): RouteHandler<CreateManagerBody> {
  return async ({ body, idempotency, logger }: HttpRequest<CreateManagerBody>): Promise<HttpResponse> => {
    const manager = newManager(ctx.newId(), body, ctx.now());
    const response: HttpResponse = { status: 201, body: { manager_uid: manager.manager_uid } };
    const write = () =>
      writeWithOutbox(ctx.doc, ctx.tableName, {
        changes: [putNew(ctx.tableName, managerItem(manager)), ...recordItems(idempotency, response)],
        events: managerEvents(manager, ctx.steps, ctx.now()),
      });
    await retryWrite(write, { what: `manager ${manager.manager_uid}`, logger });
    return response;
  };
}
