import type { RouteDeclaration } from '../shared/http/index.js';

/**
 * The routes of the tasks API. Pure data: the CDK stack reads it to create the API Gateway
 * resources and request models (from `lambdas/tasks/requests/<body>`), the docs generator
 * documents it, and `createTasksApi` binds a handler and the generated validator to each entry
 * (`bindRoutes`: the compiler insists every route has its handler), so they cannot drift apart.
 *
 * @example
 * ```ts
 * for (const route of ROUTES) api.addRoute(route.method, route.path, route.body && readSchema(route.body));
 * ```
 */
export const ROUTES = [
  { method: 'POST', path: '/managers', body: 'create-manager.json' },
  { method: 'GET', path: '/managers/{manager_uid}' },
  { method: 'PUT', path: '/managers/{manager_uid}', body: 'update-manager.json' },
  { method: 'POST', path: '/tasks', body: 'create-task.json' },
  { method: 'GET', path: '/tasks/{task_uid}' },
  { method: 'PUT', path: '/tasks/{task_uid}', body: 'update-task.json' },
  { method: 'POST', path: '/tasks/{task_uid}/assignments', body: 'create-assignment.json' },
] as const satisfies readonly RouteDeclaration[];
