import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { DEFAULT_MAX_BODY_BYTES, IDEMPOTENCY_KEY_HEADER, IDEMPOTENCY_KEY_PATTERN, UUID_PATTERN } from './constants.js';
import { writeRetryReason } from '../dynamodb/writeRetryReason.js';
import { HttpError } from './errors.js';
import { formatValidationError } from './formatValidationError.js';
import type { HttpApiHandler, HttpApiOptions, HttpRequest, HttpResponse, Route } from './types.js';
import { withIdempotencyKey } from './withIdempotencyKey.js';

interface CompiledRoute {
  route: Route<unknown>;
  pattern: RegExp;
  paramNames: string[];
  /** Literal segments count: with several templates matching a path, the most literal one wins. */
  literals: number;
  idempotent: boolean;
}

const JSON_CONTENT_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const JSON_HEADERS = { 'content-type': 'application/json' } as const;

/**
 * Builds the Lambda handler of an API Gateway REST API (proxy integration, payload v1) from routes.
 *
 * Per request it: matches the route (on `event.resource` + `httpMethod`, which API Gateway fills
 * with the resource template; falling back to matching `event.path` for `{proxy+}` resources) -> 404
 * / 405; checks `*_uid` path parameters are UUIDs -> 400; for a body: JSON content type -> 415, size
 * -> 413, JSON syntax -> 400 `invalid_json`, the route's `bodySchema` -> 400 `validation_error` with
 * `field`; honours `Idempotency-Key` on idempotent routes (see `withIdempotencyKey`); runs the
 * handler and maps `HttpError`s (`NotFoundError` 404, `ConflictError` 409, `ValidationError` 400);
 * a DynamoDB transaction conflict that reached it (a write path without `retryWrite`) -> 409
 * `write_conflict`; anything else is logged in full and answered 500 with only the request id.
 *
 * It is a plain function rather than a middy stack: the steps depend on the matched route, and a
 * service can still wrap the returned handler in middy for its own middlewares.
 *
 * @example
 * ```ts
 * import { createManager } from '../requests/generated/validators.js';
 *
 * export const handler = createHttpApi({
 *   service: 'tasks',
 *   idempotency: { tableName: process.env.TABLE_NAME!, client: doc },
 *   routes: [
 *     {
 *       method: 'POST',
 *       path: '/managers',
 *       bodySchema: createManager,
 *       handler: async ({ body, idempotency }: HttpRequest<CreateManager>) => {
 *         const manager_uid = randomUUID();
 *         const response = { status: 201, body: { manager_uid } };
 *         await doc.send(new TransactWriteCommand({ TransactItems: [putManager(manager_uid, body), ...(idempotency ? [idempotency.recordItem(response)] : [])] }));
 *         return response;
 *       },
 *     },
 *   ],
 * });
 * ```
 */
export function createHttpApi(options: HttpApiOptions): HttpApiHandler {
  const logger = options.logger ?? new Logger({ serviceName: options.service });
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const routes = compileRoutes(options);

  return async (event: APIGatewayProxyEvent, context?: Context): Promise<APIGatewayProxyResult> => {
    const requestId = event.requestContext?.requestId ?? context?.awsRequestId ?? 'unknown';
    if (context) logger.addContext(context);
    let routeName = `${event.httpMethod} ${event.path}`;
    try {
      const { compiled, pathParameters } = matchRoute(routes, event);
      const { route } = compiled;
      routeName = `${route.method} ${route.path}`;
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
        requestId,
        logger,
        event,
        context,
      };

      const idempotencyKey = headers[IDEMPOTENCY_KEY_HEADER.toLowerCase()];
      let response: HttpResponse;
      if (compiled.idempotent && idempotencyKey !== undefined && options.idempotency) {
        if (!IDEMPOTENCY_KEY_PATTERN.test(idempotencyKey)) {
          throw new HttpError(400, 'invalid_header', `${IDEMPOTENCY_KEY_HEADER} must be 1 to 128 characters of A-Z a-z 0-9 _ - : .`, {
            field: `headers.${IDEMPOTENCY_KEY_HEADER}`,
          });
        }
        response = await withIdempotencyKey(
          options.idempotency,
          { route: routeName, key: idempotencyKey, fingerprint: { path: request.path, body } },
          async (idempotency) => route.handler({ ...request, idempotency }),
        );
      } else {
        response = await route.handler(request);
      }
      return toResult(response);
    } catch (error) {
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
        logger.warn({ message: 'transaction conflict outside retryWrite', request_id: requestId, route: routeName }, error as Error);
        return toResult({
          status: 409,
          body: { error: { code: 'write_conflict', message: 'the item is being changed by a concurrent request; nothing was written, retry' } },
        });
      }
      logger.error({ message: 'unhandled error', request_id: requestId, route: routeName }, error as Error);
      return toResult({
        status: 500,
        body: { error: { code: 'internal_error', message: `internal error; request id ${requestId}` } },
      });
    }
  };
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
  return options.routes.map((route) => {
    const name = `${route.method} ${route.path}`;
    if (seen.has(name)) throw new Error(`duplicate route ${name}`);
    seen.add(name);
    const idempotent = honoursIdempotencyKey(route);
    // Fail at cold start, not silently: "every POST honours Idempotency-Key" needs a table.
    if (idempotent && !options.idempotency) {
      throw new Error(`route ${name} is idempotent but createHttpApi got no idempotency config (or set idempotent: false)`);
    }
    const paramNames: string[] = [];
    let literals = 0;
    const source = route.path
      .split('/')
      .map((segment) => {
        const param = /^\{([A-Za-z0-9_]+)(\+?)\}$/.exec(segment);
        if (!param) {
          literals += 1;
          return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        }
        paramNames.push(param[1]!);
        return param[2] ? '(.+)' : '([^/]+)';
      })
      .join('/');
    return { route: route as Route<unknown>, pattern: new RegExp(`^${source}/?$`), paramNames, literals, idempotent };
  });
}

function matchRoute(
  routes: CompiledRoute[],
  event: APIGatewayProxyEvent,
): { compiled: CompiledRoute; pathParameters: Record<string, string> } {
  const method = event.httpMethod?.toUpperCase();
  // API Gateway gives the resource template itself: exact and cheap.
  const byResource = routes.filter((r) => r.route.path === event.resource);
  if (byResource.length > 0) {
    const compiled = byResource.find((r) => r.route.method === method);
    if (!compiled) throw methodNotAllowed(byResource);
    return { compiled, pathParameters: { ...((event.pathParameters ?? {}) as Record<string, string>) } };
  }
  // `{proxy+}` resources, test events, local runtimes: match the concrete path.
  const byPath = routes
    .map((compiled) => ({ compiled, match: compiled.pattern.exec(event.path ?? '') }))
    .filter((m): m is { compiled: CompiledRoute; match: RegExpExecArray } => m.match !== null)
    .sort((a, b) => b.compiled.literals - a.compiled.literals);
  if (byPath.length === 0) throw new HttpError(404, 'route_not_found', `no route for ${event.httpMethod} ${event.path}`);
  const hit = byPath.find((m) => m.compiled.route.method === method);
  if (!hit) throw methodNotAllowed(byPath.map((m) => m.compiled));
  const pathParameters: Record<string, string> = {};
  hit.compiled.paramNames.forEach((name, index) => {
    const raw = hit.match[index + 1]!;
    try {
      pathParameters[name] = decodeURIComponent(raw);
    } catch {
      throw new HttpError(400, 'invalid_parameter', `${name} is not a valid URL path segment`, { field: `path.${name}` });
    }
  });
  return { compiled: hit.compiled, pathParameters };
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
