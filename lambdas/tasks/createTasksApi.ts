import { randomUUID } from 'node:crypto';
import { callNowOrDefer, type ServiceCall } from '../shared/calls/index.js';
import { bindRoutes, createHttpApi, type HttpApiHandler, type RetryOptions, type RouteHandlers } from '../shared/http/index.js';
import { stepsFromEnv } from '../shared/migrations/steps.js';
import { createAssignment } from './handlers/createAssignment.js';
import { createManager } from './handlers/createManager.js';
import { createTask } from './handlers/createTask.js';
import { getManager } from './handlers/getManager.js';
import { getTask } from './handlers/getTask.js';
import { updateManager } from './handlers/updateManager.js';
import { updateTask } from './handlers/updateTask.js';
import { legacyTasksRoutes } from './migrations/legacyRoutes.js';
import * as validators from './requests/generated/validators.js';
import { ROUTES } from './routes.js';
import { TasksStore } from './store.js';
import type { TasksApiContext, TasksApiDeps } from './types.js';

/** The handler of every route in `ROUTES`. */
const HANDLERS: RouteHandlers<(typeof ROUTES)[number], TasksApiContext> = {
  'POST /managers': createManager,
  'GET /managers/{manager_uid}': getManager,
  'PUT /managers/{manager_uid}': updateManager,
  'POST /tasks': createTask,
  'GET /tasks/{task_uid}': getTask,
  'PUT /tasks/{task_uid}': updateTask,
  'POST /tasks/{task_uid}/assignments': createAssignment,
};

const DEFAULT_CALL_RETRY: RetryOptions = { maxAttempts: 2, baseDelayMs: 100, maxDelayMs: 500, totalTimeoutMs: 3000 };
const DEFAULT_CALL_TIMEOUT_MS = 1500;

/**
 * Builds the tasks API's handler (API Gateway REST proxy) from its dependencies: `api.ts` passes
 * the Lambda's clients and environment, tests and the offline runtime their own.
 *
 * Routes come from `ROUTES` (the list the CDK stack creates API Gateway resources from), each with
 * its handler and ahead-of-time validator, plus the legacy routes the migration steps still need;
 * idempotency records live in the tasks table.
 *
 * @example
 * ```ts
 * const handler = createTasksApi({ doc, tableName: 'tasks', hiringApiUrl: 'https://…/v1' });
 * const result = await handler(apiGatewayEvent);
 * ```
 */
export function createTasksApi(deps: TasksApiDeps): HttpApiHandler {
  const callHiring =
    deps.callNow ??
    ((call: ServiceCall) =>
      callNowOrDefer(call, {
        doc: deps.doc,
        tableName: deps.tableName,
        baseUrls: { hiring: deps.hiringApiUrl },
        retry: deps.callRetry ?? DEFAULT_CALL_RETRY,
        timeoutMs: deps.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS,
      }));
  const ctx: TasksApiContext = {
    doc: deps.doc,
    tableName: deps.tableName,
    store: new TasksStore(deps.doc, deps.tableName),
    now: deps.now ?? (() => new Date()),
    newId: deps.newId ?? randomUUID,
    callHiring,
    steps: deps.steps ?? stepsFromEnv(),
  };
  return createHttpApi({
    routes: [...bindRoutes(ROUTES, HANDLERS, ctx, validators), ...legacyTasksRoutes(ctx, ctx.steps)],
    idempotency: { tableName: deps.tableName, client: deps.doc },
    logger: deps.logger,
  });
}
