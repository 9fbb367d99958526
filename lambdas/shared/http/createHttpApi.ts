import middy, { type MiddlewareObj } from '@middy/core';
import httpRouterHandler from '@middy/http-router';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { logger as sharedLogger } from '../observability.js';
import { DEFAULT_MAX_BODY_BYTES, IDEMPOTENCY_KEY_HEADER, IDEMPOTENCY_KEY_PATTERN, UUID_PATTERN } from './constants.js';
import { writeRetryReason } from '../dynamodb/writeRetryReason.js';
import { HttpError } from './errors.js';
import { formatValidationError } from './formatValidationError.js';
import type { AnyRoute, HttpApiHandler, HttpApiOptions, HttpRequest, HttpResponse, Route, RouteHandler } from './types.js';
import { withIdempotencyKey } from './withIdempotencyKey.js';

interface CompiledRoute {
  route: Route<unknown>;
  /** Matches a concrete path: for the 405 answer, which needs every method of a path. */
  pattern: RegExp;
  /** Literal segments count: with several templates matching a path, the most literal one wins. */
  literals: number;
  idempotent: boolean;
}

const JSON_CONTENT_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const JSON_HEADERS = { 'content-type': 'application/json' } as const;

/**
 * Builds the Lambda handler of an API Gateway REST API (proxy integration, payload v1) from routes,
 * on middy: `@middy/http-router` dispatches on `event.httpMethod` + `event.path` (static routes
 * first, then templates, the most literal first), and one middy `onError` middleware turns every
 * error into the shared error body `{"error": {"code", "message", "field"?}}`.
 *
 * Per matched route it: checks `*_uid` path parameters are UUIDs -> 400; for a body: JSON content
 * type -> 415, size -> 413, JSON syntax -> 400 `invalid_json`, the route's `bodySchema` -> 400
 * `validation_error` with `field`; honours `Idempotency-Key` on idempotent routes (see
 * `withIdempotencyKey`); runs the handler. A path no route has -> 404 `route_not_found`; a path
 * with other methods -> 405 with `Allow`. Errors: `HttpError`s (`NotFoundError` 404,
 * `ConflictError` 409, `ValidationError` 400) as they say; a DynamoDB transaction conflict that
 * reached it (a write path without `retryWrite`) -> 409 `write_conflict`; anything else is logged
 * in full and answered 500 with only the request id.
 *
 * Hand-written on purpose (next to the libraries): the per-route request steps and the error
 * mapping, because middy's body parser, validator and error handler answer in other shapes
 * (see `README.md` in this folder). The entry point adds the Powertools middlewares around it.
 *
 * @example
 * ```ts
 * import { createManager } from '../requests/generated/validators.js';
 *
 * export const handler = createHttpApi({
 *   idempotency: { tableName: process.env.TABLE_NAME!, client: doc },
 *   routes: [
 *     {
 *       method: 'POST',
 *       path: '/managers',
 *       bodySchema: createManager,
 *       handler: async ({ body, idempotency }: HttpRequest<CreateManager>) => {
 *         const manager_uid = randomUUID();
 *         const response = { status: 201, body: { manager_uid } };
 *         await doc.send(new TransactWriteCommand({ TransactItems: [putManager(manager_uid, body), ...recordItems(idempotency, response)] }));
 *         return response;
 *       },
 *     },
 *   ],
 * });
 * ```
 */
export function createHttpApi(options: HttpApiOptions): HttpApiHandler {
  const logger = options.logger ?? sharedLogger;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const routes = compileRoutes(options);
  const router = httpRouterHandler<APIGatewayProxyEvent, APIGatewayProxyResult>({
    routes: [...routes]
      .sort((a, b) => b.literals - a.literals)
      .map((compiled) => ({ method: compiled.route.method, path: compiled.route.path, handler: routeHandler(compiled, options, logger, maxBodyBytes) })),
    notFoundResponse: ({ method, path }) => {
      throw missingRoute(routes, method, path);
    },
  });
  // The router mutates the event it routes (path parameters): it gets a copy.
  const api = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(errorAnswers(routes, logger))
    .handler((event, context) => router({ ...event }, context, { signal: new AbortController().signal }) as Promise<APIGatewayProxyResult>);
  // middy's handler takes a context; tests and local callers may invoke without one.
  return (event, context) => api(event, context ?? ({} as Context));
}

/**
 * Whether a route honours `Idempotency-Key`: its own `idempotent` flag, else every POST. Shared with
 * the catalog (`npm run docs`), which documents the header on exactly these routes.
 */
export function honoursIdempotencyKey(route: { readonly method: string; readonly idempotent?: boolean }): boolean {
  return route.idempotent ?? route.method === 'POST';
}

function compileRoutes(options: HttpApiOptions): CompiledRoute[] {
  const seen = new Set<string>();
  return options.routes.map((route: AnyRoute) => {
    const name = `${route.method} ${route.path}`;
    if (seen.has(name)) throw new Error(`duplicate route ${name}`);
    seen.add(name);
    const idempotent = honoursIdempotencyKey(route);
    // Fail at cold start, not silently: "every POST honours Idempotency-Key" needs a table.
    if (idempotent && !options.idempotency) {
      throw new Error(`route ${name} is idempotent but createHttpApi got no idempotency config (or set idempotent: false)`);
    }
    let literals = 0;
    const source = route.path
      .split('/')
      .map((segment) => {
        if (/^\{[A-Za-z0-9_]+\+?\}$/.test(segment)) return segment.endsWith('+}') ? '.+' : '[^/]+';
        literals += 1;
        return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      })
      .join('/');
    // A handler of some body type, given only bodies its route's validator accepted (see AnyRouteHandler).
    return { route: route as unknown as Route<unknown>, pattern: new RegExp(`^${source}/?$`), literals, idempotent };
  });
}

/** The handler the router calls for one route: the request steps that depend on the route, then its handler. */
function routeHandler(compiled: CompiledRoute, options: HttpApiOptions, logger: Logger, maxBodyBytes: number) {
  const { route } = compiled;
  const routeName = `${route.method} ${route.path}`;
  const handler = route.handler as RouteHandler<unknown>;
  return async (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> => {
    const pathParameters = pathParametersOf(event, route.path);
    checkPathParameters(pathParameters);
    const headers = lowerCaseHeaders(event.headers);
    const body = parseBody(event, headers, route, maxBodyBytes);
    const request: HttpRequest<unknown> = {
      method: route.method,
      route: route.path,
      path: concretePath(route.path, pathParameters),
      pathParameters,
      query: { ...(event.queryStringParameters ?? {}) } as Record<string, string>,
      headers,
      body,
      requestId: requestIdOf(event, context),
      logger,
      event,
      context,
    };

    const idempotencyKey = headers[IDEMPOTENCY_KEY_HEADER.toLowerCase()];
    if (!compiled.idempotent || idempotencyKey === undefined || !options.idempotency) return toResult(await handler(request));
    if (!IDEMPOTENCY_KEY_PATTERN.test(idempotencyKey)) {
      throw new HttpError(400, 'invalid_header', `${IDEMPOTENCY_KEY_HEADER} must be 1 to 128 characters of A-Z a-z 0-9 _ - : .`, {
        field: `headers.${IDEMPOTENCY_KEY_HEADER}`,
      });
    }
    const response = await withIdempotencyKey(
      options.idempotency,
      { route: routeName, key: idempotencyKey, fingerprint: { path: request.path, body } },
      async (idempotency) => handler({ ...request, idempotency }),
    );
    return toResult(response);
  };
}

/**
 * The route's path parameters. API Gateway sends them URL-decoded when it matched this resource
 * itself (`event.resource` is the template); otherwise (a `{proxy+}` resource, a test or local
 * event) the router took them raw from the path, and they are decoded here.
 */
function pathParametersOf(event: APIGatewayProxyEvent, template: string): Record<string, string> {
  const parameters = { ...((event.pathParameters ?? {}) as Record<string, string>) };
  if (event.resource === template) return parameters;
  for (const [name, raw] of Object.entries(parameters)) {
    try {
      parameters[name] = decodeURIComponent(raw);
    } catch {
      throw new HttpError(400, 'invalid_parameter', `${name} is not a valid URL path segment`, { field: `path.${name}` });
    }
  }
  return parameters;
}

/** 405 with `Allow` when other methods have this path, else 404. */
function missingRoute(routes: CompiledRoute[], method: string, path: string): HttpError {
  const candidates = routes.filter((compiled) => compiled.pattern.test(path));
  if (candidates.length === 0) return new HttpError(404, 'route_not_found', `no route for ${method} ${path}`);
  return methodNotAllowed(candidates);
}

/** The middy `onError` that answers every error in the shared error shape. */
function errorAnswers(routes: CompiledRoute[], logger: Logger): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  return {
    onError: async (request) => {
      const { error, event, context } = request;
      request.response = errorResult(error, { requestId: requestIdOf(event, context), route: routeNameOf(routes, event) }, logger);
    },
  };
}

function errorResult(error: unknown, where: { requestId: string; route: string }, logger: Logger): APIGatewayProxyResult {
  if (error instanceof HttpError) {
    return toResult({
      status: error.status,
      headers: error.headers,
      body: { error: { code: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) } },
    });
  }
  if (writeRetryReason(error) === 'TransactionConflict') {
    // A write path without `retryWrite` met a DynamoDB transaction conflict: the request may
    // succeed if sent again, which is what 409 `write_conflict` tells the client (not a 500).
    logger.warn({ message: 'transaction conflict outside retryWrite', request_id: where.requestId, route: where.route }, error as Error);
    return toResult({
      status: 409,
      body: { error: { code: 'write_conflict', message: 'the item is being changed by a concurrent request; nothing was written, retry' } },
    });
  }
  logger.error({ message: 'unhandled error', request_id: where.requestId, route: where.route }, error as Error);
  return toResult({
    status: 500,
    body: { error: { code: 'internal_error', message: `internal error; request id ${where.requestId}` } },
  });
}

function requestIdOf(event: APIGatewayProxyEvent | undefined, context: Context | undefined): string {
  return event?.requestContext?.requestId ?? context?.awsRequestId ?? 'unknown';
}

/** `METHOD /template` of the route an event went to (for logs), or its concrete path when none matched. */
function routeNameOf(routes: CompiledRoute[], event: APIGatewayProxyEvent): string {
  const method = event.httpMethod?.toUpperCase();
  const hit = routes.find((compiled) => compiled.route.method === method && (compiled.route.path === event.resource || compiled.pattern.test(event.path ?? '')));
  return hit ? `${hit.route.method} ${hit.route.path}` : `${event.httpMethod} ${event.path}`;
}

function methodNotAllowed(candidates: CompiledRoute[]): HttpError {
  const allow = [...new Set(candidates.map((c) => c.route.method))].sort().join(', ');
  return new HttpError(405, 'method_not_allowed', `method not allowed; allowed: ${allow}`, { headers: { allow } });
}

function checkPathParameters(parameters: Record<string, string>): void {
  for (const [name, value] of Object.entries(parameters)) {
    if (name.endsWith('_uid') && !UUID_PATTERN.test(value)) {
      throw new HttpError(400, 'invalid_parameter', `${name} must be a uuid`, { field: `path.${name}` });
    }
  }
}

function parseBody(
  event: APIGatewayProxyEvent,
  headers: Record<string, string>,
  route: Route<unknown>,
  maxBodyBytes: number,
): unknown {
  const raw = event.body === null || event.body === undefined || event.body === '' ? undefined : event.body;
  if (raw === undefined) {
    if (route.bodySchema) throw new HttpError(400, 'invalid_json', 'request body is required', { field: 'body' });
    return undefined;
  }
  // A body must say it is JSON: a form post or text would otherwise be misread.
  const contentType = headers['content-type'];
  if (!contentType || !JSON_CONTENT_TYPE.test(contentType)) {
    throw new HttpError(415, 'unsupported_media_type', 'content-type must be application/json', { field: 'headers.Content-Type' });
  }
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.byteLength > maxBodyBytes) {
    throw new HttpError(413, 'payload_too_large', `request body must not exceed ${maxBodyBytes} bytes`, { field: 'body' });
  }
  let text: string;
  try {
    // A base64 body is raw bytes: bytes that are not UTF-8 are refused, not turned into U+FFFD.
    text = event.isBase64Encoded ? STRICT_UTF8.decode(bytes) : raw;
  } catch {
    throw new HttpError(400, 'invalid_json', 'request body is not valid UTF-8', { field: 'body' });
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'invalid_json', 'request body is not valid JSON', { field: 'body' });
  }
  if (route.bodySchema && !route.bodySchema(body)) {
    const { field, message } = formatValidationError(route.bodySchema.errors?.[0] ?? undefined, 'body', body);
    throw new HttpError(400, 'validation_error', message, { field });
  }
  return body;
}

function lowerCaseHeaders(headers: APIGatewayProxyEvent['headers'] | null | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value !== undefined) result[name.toLowerCase()] = value;
  }
  return result;
}

function concretePath(template: string, parameters: Record<string, string>): string {
  return template.replace(/\{([A-Za-z0-9_]+)\+?\}/g, (_, name: string) => encodeURIComponent(parameters[name] ?? ''));
}

function toResult(response: HttpResponse): APIGatewayProxyResult {
  return {
    statusCode: response.status,
    headers: { ...JSON_HEADERS, ...response.headers },
    body: response.body === undefined ? '' : JSON.stringify(response.body),
  };
}
