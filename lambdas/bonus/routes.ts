import type { RouteDeclaration } from '../shared/http/index.js';

/**
 * The bonus API's routes, as pure data: the CDK stack reads it to create the API Gateway resources
 * and request models (`lambdas/bonus/requests/<body>`), the docs generator documents it, and
 * `createBonusApi` binds a handler and the generated validator to each entry (`bindRoutes`: the
 * compiler insists every route has its handler).
 *
 * `/internal/*` routes are called by the hiring service with SigV4 only.
 */
export const ROUTES = [
  { method: 'PUT', path: '/internal/tasks/{task_uid}/rating', body: 'rating.json' },
  { method: 'GET', path: '/managers/{manager_uid}/balance' },
  { method: 'GET', path: '/managers/{manager_uid}/ledger' },
] as const satisfies readonly RouteDeclaration[];
