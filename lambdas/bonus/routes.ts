/** The bonus API's routes: read by the CDK stack (API Gateway resources and models) and the router. */
export const ROUTES = [
  { method: 'PUT', path: '/internal/tasks/{task_uid}/rating', body: 'rating.json' },
  { method: 'GET', path: '/managers/{manager_uid}/balance' },
  { method: 'GET', path: '/managers/{manager_uid}/ledger' },
] as const;
