import { join, normalize } from 'node:path';
import { ROUTES as BONUS_ROUTES } from '../../lambdas/bonus/routes.js';
import { ROUTES as HIRING_ROUTES } from '../../lambdas/hiring/routes.js';
import { honoursIdempotencyKey, type RouteDeclaration } from '../../lambdas/shared/http/index.js';
import { readRequestSchema } from '../../lambdas/shared/http/requests/readRequestSchema.js';
import { GET_MANAGER_ROUTE, REQUEST_UPDATE_ROUTE } from '../../lambdas/shared/migrations/plan.js';
import { ROUTES as TASKS_ROUTES } from '../../lambdas/tasks/routes.js';
import { actionsOf, type TemplateIndex, type TemplateResource } from './templateIndex.js';
import type { ApiDoc, Json, RouteDoc } from './types.js';

/**
 * Every route a service may serve at some step, as declared in code: its `routes.ts`, plus the
 * legacy routes of the migration plan. The template says which of them exist at the documented
 * steps; the declarations add what the template does not carry (the request file, idempotency).
 */
export const DECLARED_ROUTES: Record<string, readonly RouteDeclaration[]> = {
  hiring: HIRING_ROUTES,
  tasks: [...TASKS_ROUTES, GET_MANAGER_ROUTE, REQUEST_UPDATE_ROUTE],
  bonus: BONUS_ROUTES,
};

/** Routes under this prefix are for the other services (granted `execute-api:Invoke` on `/internal/*`). */
export const INTERNAL_PREFIX = '/internal/';

/** The resource path of an `AWS::ApiGateway::Resource` (`/tasks/{task_uid}/rating`), `/` for the root. */
function resourcePath(templates: TemplateIndex, api: TemplateResource, resourceId: unknown): string {
  const parts: string[] = [];
  let current = templates.target(api.stack, resourceId);
  while (current && current.type === 'AWS::ApiGateway::Resource') {
    parts.unshift(String(current.properties.PathPart));
    current = templates.target(current.stack, current.properties.ParentId);
  }
  if (current !== api) throw new Error(`${api.logicalId}: a method's resource does not lead back to the API's root`);
  return `/${parts.join('/')}`;
}

/** `arn:...:<api id>/<stage>/<method>/<path glob>` as a matcher of `METHOD /path`. */
function invokeMatcher(resource: unknown): ((method: string, path: string) => boolean) | undefined {
  const parts = (resource as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join']?.[1];
  const tail = parts?.at(-1);
  const match = typeof tail === 'string' ? /^\/[^/]+\/([^/]+)(\/.*)$/.exec(tail) : null;
  if (!match) return undefined;
  const glob = (text: string) => new RegExp(`^${text.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  const [method, path] = [glob(match[1]!), glob(match[2]!)];
  return (m, p) => method.test(m) && path.test(p);
}

/** Services whose functions are granted `execute-api:Invoke` on `method path` of `api`. */
function callersOf(templates: TemplateIndex, api: TemplateResource, method: string, path: string): string[] {
  const callers = new Set<string>();
  for (const role of templates.ofType('AWS::IAM::Role')) {
    for (const statement of templates.statementsOf(role)) {
      if (!actionsOf(statement).includes('execute-api:Invoke')) continue;
      const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
      const grants = resources.some((r) => templates.targetsIn(role.stack, r).includes(api) && invokeMatcher(r)?.(method, path));
      if (grants) for (const fn of templates.functionsWithRole(role)) callers.add(templates.serviceOf(fn));
    }
  }
  return [...callers].sort();
}

/**
 * The three service APIs at the documented steps, read from the template (API, stage, resources,
 * methods, authorization, IAM grants) and completed from the route declarations.
 */
export function buildApiDocs(templates: TemplateIndex, root: string): ApiDoc[] {
  const methods = templates.ofType('AWS::ApiGateway::Method');
  const apis = templates.ofType('AWS::ApiGateway::RestApi').map((api): ApiDoc => {
    const ofApi = methods.filter((m) => templates.target(m.stack, m.properties.RestApiId) === api && m.properties.HttpMethod !== 'OPTIONS');
    const handlers = new Set(ofApi.map((m) => templates.targetsIn(m.stack, (m.properties.Integration as Json | undefined)?.Uri).find((t) => t.type === 'AWS::Lambda::Function')));
    const [handler, ...others] = [...handlers];
    if (!handler || others.length > 0) throw new Error(`${api.logicalId}: the catalog expects one function behind every route of an API`);
    const service = templates.serviceOf(handler);
    const declared = DECLARED_ROUTES[service];
    if (!declared) throw new Error(`${api.logicalId}: no route declarations for service ${service}`);
    const stages = templates.ofType('AWS::ApiGateway::Stage').filter((s) => templates.target(s.stack, s.properties.RestApiId) === api);
    if (stages.length !== 1) throw new Error(`${api.logicalId}: expected one stage, found ${stages.length}`);

    const routes = ofApi.map((resource): RouteDoc => {
      const method = String(resource.properties.HttpMethod);
      const path = resourcePath(templates, api, resource.properties.ResourceId);
      const declaration = declared.find((d) => d.method === method && d.path === path);
      if (!declaration) throw new Error(`${service} serves ${method} ${path}, which no route declaration of ${service} names`);
      const file = declaration.body ? normalize(join('lambdas', service, 'requests', declaration.body)) : undefined;
      return {
        service,
        method,
        path,
        internal: path.startsWith(INTERNAL_PREFIX),
        authorization: String(resource.properties.AuthorizationType ?? 'NONE'),
        idempotent: honoursIdempotencyKey(declaration),
        pathParameters: [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!),
        // Read like API Gateway's models are: the shared text rules (lambdas/shared/http/requests) inlined.
        ...(file ? { body: { file, schema: readRequestSchema(join(root, file)) as Json } } : {}),
        callers: callersOf(templates, api, method, path),
        resource: templates.nameOf(resource),
      };
    });
    routes.sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
    const description = typeof api.properties.Description === 'string' ? api.properties.Description : undefined;
    return { service, api: { ...templates.nameOf(api, 'Name'), ...(description ? { description } : {}) }, stage: String(stages[0]!.properties.StageName), routes };
  });
  return apis.sort((a, b) => a.service.localeCompare(b.service));
}
