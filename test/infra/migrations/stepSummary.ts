import { synthApp } from '../appTemplates.js';
import type { LooseJsonObject } from '../../../local/looseJson.js';

type Resource = { Type: string; Properties?: LooseJsonObject; Metadata?: Record<string, unknown> };

/** What a migration step changes, read from the synthesized templates (no bundling). */
export interface StepSummary {
  /** `<consumer>: <event> v<versions>` for every consumer rule, e.g. `HiringFromTasks: TaskUpdated v0`. */
  readonly rules: string[];
  /** Consumer constructs that have a queue, e.g. `HiringFromTasks`. */
  readonly consumers: string[];
  /** `<service> <METHOD> <path>` for every API Gateway method. */
  readonly routes: string[];
  /** Environment variables by function construct path (`TasksHttp/Function`). */
  readonly env: Record<string, Record<string, unknown>>;
  /** `<function construct path> -> <api construct id>` for every execute-api:Invoke grant. */
  readonly invokes: string[];
  /** Schema names in the registry, e.g. `TaskCreated.v1`. */
  readonly schemas: string[];
}

const pathOf = (r: Resource) => String(r.Metadata?.['aws:cdk:path'] ?? '').replace(/^[a-z0-9-]+-HiringEvents-(Services|Platform)\//, '');
const refId = (value: unknown): string | undefined => {
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (typeof v.Ref === 'string') return v.Ref;
    if (Array.isArray(v['Fn::GetAtt'])) return String(v['Fn::GetAtt'][0]);
  }
  return undefined;
};
function refsIn(value: unknown, into: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) refsIn(v, into);
  else if (value && typeof value === 'object') {
    const id = refId(value);
    if (id) into.push(id);
    else for (const v of Object.values(value)) refsIn(v, into);
  }
  return into;
}

/**
 * Synthesizes the app with `context` (e.g. `{ 'migration.task-updated': 2 }`) and summarizes
 * the resources a migration step adds or removes.
 */
export function stepSummary(context: Record<string, unknown>): StepSummary {
  const app = synthApp(context);
  const services = app.servicesTemplate().toJSON().Resources as Record<string, Resource>;
  const platform = app.platformTemplate().toJSON().Resources as Record<string, Resource>;
  const all = Object.entries(services);
  const ofType = (type: string) => all.filter(([, r]) => r.Type === type);

  // Consumer rules only (the republishers' and the waiting queues' schedules have no pattern).
  const rules = ofType('AWS::Events::Rule').filter(([, r]) => r.Properties?.EventPattern).map(([, r]) => {
    const pattern = r.Properties!.EventPattern as { 'detail-type': string[]; detail: { event_version: string[] } };
    return `${pathOf(r).split('/')[0]}: ${pattern['detail-type'][0]} v${pattern.detail.event_version.join(',')}`;
  });
  const consumers = [
    ...new Set(
      ofType('AWS::SQS::Queue')
        .map(([, r]) => pathOf(r))
        .filter((p) => /From(Tasks|Hiring)\/Queue\//.test(p))
        .map((p) => p.split('/')[0]!),
    ),
  ];

  const resourcePath = (id: string): string => {
    const r = services[id]!;
    if (r.Type !== 'AWS::ApiGateway::Resource') return '';
    const parent = refId(r.Properties!.ParentId);
    return `${parent && services[parent] ? resourcePath(parent) : ''}/${r.Properties!.PathPart}`;
  };
  const routes = ofType('AWS::ApiGateway::Method')
    .filter(([, m]) => m.Properties!.HttpMethod !== 'OPTIONS')
    .map(([, m]) => {
      const resource = refId(m.Properties!.ResourceId);
      const service = pathOf(m).split('/')[0]!.replace(/Http$/, '').toLowerCase();
      return `${service} ${m.Properties!.HttpMethod} ${resource && services[resource] ? resourcePath(resource) : '/'}`;
    });

  const env: Record<string, Record<string, unknown>> = {};
  const fnPathById = new Map<string, string>();
  const roleToFn = new Map<string, string>();
  for (const [id, fn] of ofType('AWS::Lambda::Function')) {
    const path = pathOf(fn).replace(/\/Resource$/, '');
    fnPathById.set(id, path);
    env[path] = (fn.Properties?.Environment?.Variables ?? {}) as Record<string, unknown>;
    const role = refId(fn.Properties?.Role);
    if (role) roleToFn.set(role, path);
  }
  const invokes: string[] = [];
  for (const [, policy] of ofType('AWS::IAM::Policy')) {
    const owner = (policy.Properties!.Roles as unknown[]).map((r) => roleToFn.get(refId(r) ?? '')).find(Boolean);
    for (const statement of policy.Properties!.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>) {
      const actions = Array.isArray(statement.Action) ? statement.Action : [statement.Action];
      if (!actions.includes('execute-api:Invoke')) continue;
      for (const id of refsIn(statement.Resource)) {
        if (services[id]?.Type === 'AWS::ApiGateway::RestApi') invokes.push(`${owner} -> ${pathOf(services[id]!).split('/')[0]}`);
      }
    }
  }
  const schemas = Object.values(platform)
    .filter((r) => r.Type === 'AWS::EventSchemas::Schema')
    .map((r) => String(r.Properties!.SchemaName));
  return {
    rules: rules.sort(),
    consumers: consumers.sort(),
    routes: routes.sort(),
    env,
    invokes: [...new Set(invokes)].sort(),
    schemas: schemas.sort(),
  };
}
