import type { RouteDeclaration } from '../shared/http/index.js';

/**
 * The hiring API's routes, as pure data: the CDK stack reads it to create the API Gateway
 * resources and request models (`lambdas/hiring/requests/<body>`), the docs generator documents it,
 * and `createHiringApi` binds a handler and the generated validator to each entry (`bindRoutes`: the
 * compiler insists every route has its handler).
 *
 * `/internal/*` routes are called by the tasks service with SigV4 only. Every POST honours
 * `Idempotency-Key`; `idempotent: true` adds a route that would not by default (a retried rating with
 * the same key replays its answer instead of producing another version).
 */
export const ROUTES = [
  { method: 'POST', path: '/candidates', body: 'create-candidate.json' },
  { method: 'GET', path: '/candidates/{candidate_uid}' },
  { method: 'PUT', path: '/tasks/{task_uid}/rating', body: 'rate-task.json', idempotent: true },
  { method: 'POST', path: '/tasks/{task_uid}/solutions', body: 'add-solution.json' },
  { method: 'POST', path: '/tasks/{task_uid}/update-requests', body: 'request-task-update.json' },
  { method: 'PUT', path: '/internal/tasks/{task_uid}', body: 'update-task.json' },
  { method: 'POST', path: '/internal/assignments', body: 'assign-task.json' },
] as const satisfies readonly RouteDeclaration[];
