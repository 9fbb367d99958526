import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { LooseJson } from '../../../local/looseJson.js';

/** One request to a service API, as a client of API Gateway would make it. */
export interface ApiRequest {
  readonly method: 'GET' | 'POST' | 'PUT';
  /** Route template (API Gateway `resource`), e.g. `/tasks/{task_uid}/solutions`. */
  readonly resource: string;
  readonly pathParameters?: Record<string, string>;
  /** Query string parameters (`?limit=10&cursor=...`). */
  readonly query?: Record<string, string>;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

/** An answer with its JSON body parsed. */
export interface ApiAnswer<T = LooseJson> {
  readonly status: number;
  readonly headers: Record<string, unknown>;
  readonly body: T;
}

/** The concrete path of a route template, parameters URL-encoded as API Gateway would see them. */
export function concretePath(resource: string, pathParameters: Record<string, string> = {}): string {
  return resource.replace(/\{(\w+)\+?\}/g, (_, name: string) => {
    const value = pathParameters[name];
    if (value === undefined) throw new Error(`no value for {${name}} of ${resource}`);
    return encodeURIComponent(value);
  });
}

/** An API Gateway REST proxy event (payload v1) as API Gateway builds it for `request`. */
export function apiEvent(request: ApiRequest): APIGatewayProxyEvent {
  const params = request.pathParameters ?? {};
  const body = request.body === undefined ? null : typeof request.body === 'string' ? request.body : JSON.stringify(request.body);
  return {
    resource: request.resource,
    path: concretePath(request.resource, params),
    httpMethod: request.method,
    pathParameters: Object.keys(params).length > 0 ? { ...params } : null,
    queryStringParameters: request.query && Object.keys(request.query).length > 0 ? { ...request.query } : null,
    multiValueQueryStringParameters: request.query && Object.keys(request.query).length > 0 ? Object.fromEntries(Object.entries(request.query).map(([k, v]) => [k, [v]])) : null,
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...request.headers },
    multiValueHeaders: {},
    body,
    isBase64Encoded: false,
    stageVariables: null,
    requestContext: { requestId: randomUUID(), stage: 'v1' } as APIGatewayProxyEvent['requestContext'],
  };
}

export function parseAnswer<T>(result: APIGatewayProxyResult): ApiAnswer<T> {
  return { status: result.statusCode, headers: result.headers ?? {}, body: (result.body ? JSON.parse(result.body) : undefined) as T };
}

/**
 * The route template among `templates` that `path` matches (the one with most literal segments
 * wins, as API Gateway resolves it), with the decoded path parameters.
 */
export function resolveRoute(
  templates: readonly { method: string; path: string }[],
  method: string,
  path: string,
): { resource: string; pathParameters: Record<string, string> } | undefined {
  const segments = path.split('/');
  const candidates = templates
    .filter((route) => route.method === method)
    .map((route) => {
      const parts = route.path.split('/');
      if (parts.length !== segments.length) return undefined;
      const pathParameters: Record<string, string> = {};
      let literals = 0;
      for (const [index, part] of parts.entries()) {
        const param = /^\{(\w+)\}$/.exec(part);
        if (param) pathParameters[param[1]!] = decodeURIComponent(segments[index]!);
        else if (part === segments[index]) literals += 1;
        else return undefined;
      }
      return { resource: route.path, pathParameters, literals };
    })
    .filter((match) => match !== undefined)
    .sort((a, b) => b.literals - a.literals);
  const best = candidates[0];
  return best && { resource: best.resource, pathParameters: best.pathParameters };
}
