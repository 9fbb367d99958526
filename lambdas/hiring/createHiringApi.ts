import { Logger } from '@aws-lambda-powertools/logger';
import { createHttpApi, type BodyValidator, type HttpApiHandler, type Route, type RouteHandler } from '../shared/http/index.js';
import { assignTask } from './handlers/assignTask.js';
import { createCandidate } from './handlers/createCandidate.js';
import { getCandidate } from './handlers/getCandidate.js';
import { rateTask } from './handlers/rateTask.js';
import { requestTaskUpdate } from './handlers/requestTaskUpdate.js';
import { solveTask } from './handlers/solveTask.js';
import { updateTask } from './handlers/updateTask.js';
import * as validators from './requests/generated/validators.js';
import { ROUTES, type HiringRoute } from './routes.js';
import { hiringRoutes } from '../shared/migrations/plan.js';
import { stepsFromEnv } from '../shared/migrations/steps.js';
import type { HiringApiDeps, HiringContext } from './types.js';

type RouteName = HiringRoute extends infer R ? (R extends HiringRoute ? `${R['method']} ${R['path']}` : never) : never;

/** Handler of every route in `ROUTES`; the compiler insists none is missing. */
// biome-ignore lint/suspicious/noExplicitAny: each handler declares its own body type (validated by the route's schema before it runs).
const HANDLERS: { [K in RouteName]: (ctx: HiringContext) => RouteHandler<any> } = {
  'POST /candidates': createCandidate,
  'GET /candidates/{candidate_uid}': getCandidate,
  'PUT /tasks/{task_uid}/rating': rateTask,
  'POST /tasks/{task_uid}/solutions': solveTask,
  'POST /tasks/{task_uid}/update-requests': requestTaskUpdate,
  'PUT /internal/tasks/{task_uid}': updateTask,
  'POST /internal/assignments': assignTask,
};

/** `create-candidate.json` -> the generated `createCandidate` validator. */
function validatorFor(file: string): BodyValidator {
  const name = file.replace(/\.json$/, '').replace(/[-_.]+([A-Za-z0-9])/g, (_, c: string) => c.toUpperCase());
  const validator = (validators as Record<string, BodyValidator | undefined>)[name];
  if (!validator) throw new Error(`no generated validator ${name} for ${file}: run tsx scripts/http-schemas-build.ts lambdas/hiring/requests`);
  return validator;
}

/**
 * Builds the hiring API's Lambda handler (API Gateway REST proxy) from its dependencies, so tests
 * and local runs inject clients and the Lambda entry (`api.ts`) uses default ones.
 *
 * Routes come from `ROUTES` (the same list the CDK stack creates API Gateway resources from), each
 * with its handler and ahead-of-time validator; idempotency records live in the hiring table.
 *
 * @example
 * ```ts
 * const handler = createHiringApi({ doc, tableName: 'hiring', bonusApiUrl: 'https://…/v1' });
 * const result = await handler(apiGatewayEvent);
 * ```
 */
export function createHiringApi(deps: HiringApiDeps): HttpApiHandler {
  const ctx: HiringContext = { ...deps, now: deps.now ?? (() => new Date()), steps: deps.steps ?? stepsFromEnv() };
  // biome-ignore lint/suspicious/noExplicitAny: routes with different body types in one list (see HANDLERS).
  const routes: Route<any>[] = hiringRoutes(ROUTES, ctx.steps).map((route) => {
    const name = `${route.method} ${route.path}` as RouteName;
    return {
      method: route.method,
      path: route.path,
      ...('body' in route ? { bodySchema: validatorFor(route.body) } : {}),
      ...('idempotent' in route ? { idempotent: route.idempotent } : {}),
      handler: HANDLERS[name](ctx),
    };
  });
  return createHttpApi({
    service: 'hiring',
    routes,
    idempotency: { tableName: deps.tableName, client: deps.doc },
    logger: deps.logger ?? new Logger({ serviceName: 'hiring' }),
  });
}
