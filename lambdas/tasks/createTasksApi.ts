import { randomUUID } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { callNowOrDefer, type CallOutcome, type ServiceCall } from '../shared/calls/index.js';
import { createHttpApi, type BodyValidator, type HttpApiHandler, type RetryOptions, type Route, type RouteHandler } from '../shared/http/index.js';
import type { TasksApiContext } from './context.js';
import { createAssignment } from './handlers/createAssignment.js';
import { createManager } from './handlers/createManager.js';
import { createTask } from './handlers/createTask.js';
import { getManager } from './handlers/getManager.js';
import { getTask } from './handlers/getTask.js';
import { updateManager } from './handlers/updateManager.js';
import { updateTask } from './handlers/updateTask.js';
import * as validators from './requests/generated/validators.js';
import { ROUTES } from './routes.js';
import { TasksStore } from './store.js';
import { legacyTasksRoutes } from './migrations/legacyRoutes.js';
import { stepsFromEnv, type MigrationSteps } from '../shared/migrations/steps.js';

/** Dependencies of the tasks API; everything but the table is optional. */
export interface TasksApiDeps {
  doc: DynamoDBDocumentClient;
  tableName: string;
  /** Hiring's API base URL, stage included (env `HIRING_API_URL`). Without it calls stay pending. */
  hiringApiUrl?: string;
  /**
   * Retry budget of the immediate call to hiring, kept short: the client waits for it, and a call
   * that fails is delivered later anyway. @default 2 attempts within 3 s
   */
  callRetry?: RetryOptions;
  /** Per-attempt timeout of the immediate call in ms. @default 1500 */
  callTimeoutMs?: number;
  /** Replaces `callNowOrDefer` (tests). */
  callNow?: (call: ServiceCall) => Promise<CallOutcome>;
  /** @default () => new Date() */
  now?: () => Date;
  /** @default crypto.randomUUID */
  newId?: () => string;
  logger?: Logger;
  /** Migration steps. @default env `MIGRATION_*_STEP`, else the final steps */
  steps?: MigrationSteps;
}

const DEFAULT_CALL_RETRY: RetryOptions = { maxAttempts: 2, baseDelayMs: 100, maxDelayMs: 500, totalTimeoutMs: 3000 };

/**
 * Builds the Lambda handler of the tasks API (API Gateway REST proxy) from {@link ROUTES}, binding
 * each route to its handler and to the validator generated from its request schema.
 *
 * @example
 * ```ts
 * const handler = createTasksApi({ doc, tableName: 'tasks', hiringApiUrl: 'https://…/v1' });
 * const result = await handler(apiGatewayEvent);
 * ```
 */
export function createTasksApi(deps: TasksApiDeps): HttpApiHandler {
  const store = new TasksStore(deps.doc, deps.tableName);
  const callNow =
    deps.callNow ??
    ((call: ServiceCall) =>
      callNowOrDefer(call, {
        doc: deps.doc,
        tableName: deps.tableName,
        baseUrls: { hiring: deps.hiringApiUrl },
        retry: deps.callRetry ?? DEFAULT_CALL_RETRY,
        timeoutMs: deps.callTimeoutMs ?? 1500,
      }));
  const ctx: TasksApiContext = {
    doc: deps.doc,
    tableName: deps.tableName,
    store,
    now: deps.now ?? (() => new Date()),
    newId: deps.newId ?? randomUUID,
    callHiring: callNow,
    steps: deps.steps ?? stepsFromEnv(),
  };

  // biome-ignore lint/suspicious/noExplicitAny: each handler declares its own body type (checked by the route's generated validator).
  const handlers: Record<string, RouteHandler<any>> = {
    'POST /managers': createManager(ctx),
    'GET /managers/{manager_uid}': getManager(ctx),
    'PUT /managers/{manager_uid}': updateManager(ctx),
    'POST /tasks': createTask(ctx),
    'GET /tasks/{task_uid}': getTask(ctx),
    'PUT /tasks/{task_uid}': updateTask(ctx),
    'POST /tasks/{task_uid}/assignments': createAssignment(ctx),
  };

  // biome-ignore lint/suspicious/noExplicitAny: routes with different body types in one list (see handlers).
  const routes: Route<any>[] = ROUTES.map((route) => {
    const name = `${route.method} ${route.path}`;
    const handler = handlers[name];
    if (!handler) throw new Error(`tasks API: no handler for ${name}`);
    const body = 'body' in route ? route.body : undefined;
    return { method: route.method, path: route.path, handler, ...(body ? { bodySchema: validatorFor(body) } : {}) };
  });

  return createHttpApi({
    service: 'tasks',
    routes: [...routes, ...legacyTasksRoutes(ctx, ctx.steps)],
    idempotency: { tableName: deps.tableName, client: deps.doc },
    logger: deps.logger,
  });
}

/** `create-manager.json` -> the generated `createManager` validator. */
function validatorFor(file: string): BodyValidator {
  const name = file.replace(/\.json$/, '').replace(/[-_.]+([A-Za-z0-9])/g, (_, c: string) => c.toUpperCase());
  const validator = (validators as Record<string, BodyValidator | undefined>)[name];
  if (!validator) throw new Error(`tasks API: no generated validator ${name} for ${file}; run scripts/http-schemas-build.ts`);
  return validator;
}
