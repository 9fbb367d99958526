import { bindRoutes, createHttpApi, type HttpApiHandler, type RouteHandlers } from '../shared/http/index.js';
import { hiringRoutes } from '../shared/migrations/plan.js';
import { stepsFromEnv } from '../shared/migrations/steps.js';
import { assignTask } from './handlers/assignTask.js';
import { createCandidate } from './handlers/createCandidate.js';
import { getCandidate } from './handlers/getCandidate.js';
import { rateTask } from './handlers/rateTask.js';
import { requestTaskUpdate } from './handlers/requestTaskUpdate.js';
import { solveTask } from './handlers/solveTask.js';
import { updateTask } from './handlers/updateTask.js';
import * as validators from './requests/generated/validators.js';
import { ROUTES } from './routes.js';
import type { HiringApiDeps, HiringContext } from './types.js';

/** The handler of every route in `ROUTES`. */
const HANDLERS: RouteHandlers<(typeof ROUTES)[number], HiringContext> = {
  'POST /candidates': createCandidate,
  'GET /candidates/{candidate_uid}': getCandidate,
  'PUT /tasks/{task_uid}/rating': rateTask,
  'POST /tasks/{task_uid}/solutions': solveTask,
  'POST /tasks/{task_uid}/update-requests': requestTaskUpdate,
  'PUT /internal/tasks/{task_uid}': updateTask,
  'POST /internal/assignments': assignTask,
};

/**
 * Builds the hiring API's handler (API Gateway REST proxy) from its dependencies: `api.ts` passes
 * the Lambda's clients and environment, tests and the offline runtime their own.
 *
 * Routes come from `ROUTES` (the list the CDK stack creates API Gateway resources from) as the
 * migration steps have them, each with its handler and ahead-of-time validator; idempotency records
 * live in the hiring table.
 *
 * @example
 * ```ts
 * const handler = createHiringApi({ doc, tableName: 'hiring', bonusApiUrl: 'https://…/v1' });
 * const result = await handler(apiGatewayEvent);
 * ```
 */
export function createHiringApi(deps: HiringApiDeps): HttpApiHandler {
  const ctx: HiringContext = { ...deps, now: deps.now ?? (() => new Date()), steps: deps.steps ?? stepsFromEnv() };
  return createHttpApi({
    routes: bindRoutes(hiringRoutes(ROUTES, ctx.steps), HANDLERS, ctx, validators),
    idempotency: { tableName: deps.tableName, client: deps.doc },
    logger: deps.logger,
  });
}
