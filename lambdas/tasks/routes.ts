/** One HTTP route of the tasks API, as plain data. */
export interface TasksRoute {
  readonly method: 'GET' | 'POST' | 'PUT';
  /** API Gateway resource template. */
  readonly path: string;
  /** Request body schema file under `lambdas/tasks/requests/` (draft-04 keywords only). */
  readonly body?: string;
}

/**
 * The routes of the tasks API. Pure data: the CDK stack reads it to create the API Gateway
 * resources and request models (from `lambdas/tasks/requests/<body>`), and `createTasksApi`
 * binds a handler and the generated validator to each entry (it fails at cold start when one is
 * missing), so the two cannot drift apart.
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
] as const satisfies readonly TasksRoute[];
