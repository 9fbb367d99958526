import { NotFoundError, type HttpRequest, type HttpResponse, type RouteHandler } from '../../shared/http/index.js';
import type { TasksApiContext } from '../types.js';
import { managerView } from '../domain/manager.js';

/** `GET /managers/{manager_uid}` -> 200 the manager, 404 when unknown. */
export function getManager(ctx: TasksApiContext): RouteHandler {
  return async ({ pathParameters }: HttpRequest): Promise<HttpResponse> => {
    const managerUid = pathParameters.manager_uid!;
    const manager = await ctx.store.getManager(managerUid);
    if (!manager) throw new NotFoundError(`manager ${managerUid} not found`);
    return { status: 200, body: managerView(manager) };
  };
}
