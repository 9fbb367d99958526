import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { retryWrite } from '../../shared/dynamodb/index.js';
import { NotFoundError, type BodyValidator, type HttpRequest, type HttpResponse, type Route } from '../../shared/http/index.js';
import { GET_MANAGER_ROUTE, REQUEST_UPDATE_ROUTE, tasksLegacyRoutes } from '../../shared/migrations/plan.js';
import type { MigrationSteps } from '../../shared/migrations/steps.js';
import type { TasksApiContext } from '../context.js';
import { managerView } from '../domain/manager.js';
import { taskKey } from '../keys.js';
import { failedConditionIndex, putNew, updateRequestItem } from '../store.js';

interface UpdateRequestBody {
  request_id: string;
  task_uid: string;
  reason: string;
  requested_at: string;
}

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The body check of the legacy update_task route (the gateway model checks the same schema first). */
export const validateUpdateRequest: BodyValidator = Object.assign(
  (data: unknown): boolean => {
    const fail = (instancePath: string, keyword: string, message: string, params: Record<string, unknown> = {}) => {
      validateUpdateRequest.errors = [{ instancePath, keyword, message, params, schemaPath: '#' }];
      return false;
    };
    if (!data || typeof data !== 'object' || Array.isArray(data)) return fail('', 'type', 'must be object', { type: 'object' });
    const body = data as Record<string, unknown>;
    for (const field of ['request_id', 'task_uid', 'reason', 'requested_at']) {
      if (!(field in body)) return fail('', 'required', `must have required property '${field}'`, { missingProperty: field });
      if (typeof body[field] !== 'string' || body[field] === '') return fail(`/${field}`, 'minLength', 'must NOT have fewer than 1 characters', { limit: 1 });
    }
    const extra = Object.keys(body).find((k) => !['request_id', 'task_uid', 'reason', 'requested_at'].includes(k));
    if (extra) return fail('', 'additionalProperties', 'must NOT have additional properties', { additionalProperty: extra });
    for (const field of ['request_id', 'task_uid']) {
      if (!UUID_V4.test(String(body[field]))) return fail(`/${field}`, 'pattern', 'must match pattern', { pattern: UUID_V4.source });
    }
    validateUpdateRequest.errors = null;
    return true;
  },
  { errors: null as BodyValidator['errors'] },
);

/**
 * get_manager (`GET /internal/managers/{manager_uid}`, manager-stream steps 0..4): the manager
 * as bonus stores it (payout account and version included).
 */
function getManagerRoute(ctx: TasksApiContext): Route<unknown> {
  return {
    method: GET_MANAGER_ROUTE.method,
    path: GET_MANAGER_ROUTE.path,
    handler: async ({ pathParameters }: HttpRequest<unknown>): Promise<HttpResponse> => {
      const manager = await ctx.store.getManager(pathParameters.manager_uid!);
      if (!manager) throw new NotFoundError(`manager ${pathParameters.manager_uid} not found`);
      return { status: 200, body: managerView(manager) };
    },
  };
}

/**
 * The legacy update_task of the "task needs update" link (task-update-request steps 0..5): records
 * the request on the task once per `request_id` (`UPDATE_REQUEST#<request_id>`, the same row the
 * consumer writes from step 4) and marks the task `needs_update`. A request already recorded
 * (the event came first, or a redelivered call) answers 200 `{recorded: false}`.
 */
function requestUpdateRoute(ctx: TasksApiContext): Route<UpdateRequestBody> {
  return {
    method: REQUEST_UPDATE_ROUTE.method,
    path: REQUEST_UPDATE_ROUTE.path,
    bodySchema: validateUpdateRequest,
    handler: async ({ pathParameters, body, logger }: HttpRequest<UpdateRequestBody>): Promise<HttpResponse> => {
      const taskUid = pathParameters.task_uid!;
      if (body.task_uid !== taskUid) throw new NotFoundError(`task ${body.task_uid} does not match the path's ${taskUid}`);
      if (!(await ctx.store.getTask(taskUid))) throw new NotFoundError(`task ${taskUid} not found`);
      if (await ctx.store.getUpdateRequest(taskUid, body.request_id)) return { status: 200, body: { request_id: body.request_id, recorded: false } };
      const request = { ...body, received_at: ctx.now().toISOString() };
      try {
        const write = () =>
          ctx.doc.send(
            new TransactWriteCommand({
              TransactItems: [
                putNew(ctx.tableName, updateRequestItem(request)),
                {
                  Update: {
                    TableName: ctx.tableName,
                    Key: taskKey(taskUid),
                    UpdateExpression: 'SET needs_update = :true, last_update_request_id = :request_id',
                    ConditionExpression: 'attribute_exists(pk)',
                    ExpressionAttributeValues: { ':true': true, ':request_id': body.request_id },
                  },
                },
              ],
            }),
          );
        await retryWrite(write, { what: `update request ${body.request_id}`, logger });
      } catch (error) {
        if (failedConditionIndex(error) === 0) return { status: 200, body: { request_id: body.request_id, recorded: false } };
        throw error;
      }
      return { status: 201, body: { request_id: body.request_id, recorded: true } };
    },
  };
}

/** The legacy routes of the tasks API at `steps` (the stack creates the same ones from the plan). */
// biome-ignore lint/suspicious/noExplicitAny: routes with different body types in one list (as in createTasksApi).
export function legacyTasksRoutes(ctx: TasksApiContext, steps: MigrationSteps): Route<any>[] {
  return tasksLegacyRoutes(steps).map((route) => (route.path === GET_MANAGER_ROUTE.path ? getManagerRoute(ctx) : requestUpdateRoute(ctx)));
}
