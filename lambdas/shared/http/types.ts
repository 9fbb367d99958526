import type { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBDocumentClient, TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { ErrorObject } from 'ajv';
import type { RouteDeclaration } from './routeTable.js';

/** Methods the router dispatches on. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * A request body validator: an ajv `ValidateFunction`, normally one generated ahead of time by
 * `scripts/http-schemas-build.ts` (no schema compilation at cold start, no `eval` at run time).
 */
export interface BodyValidator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

/** One item of a DynamoDB DocumentClient `TransactWriteCommand`. */
export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** What a route handler returns; `body` is serialized as JSON. */
export interface HttpResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** The idempotency of the current request, given to handlers of idempotent routes. */
export interface IdempotencyContext {
  /** The client's `Idempotency-Key`. */
  readonly key: string;
  /**
   * The write that marks this request as completed with `response`. Append it to the handler's own
   * `TransactWriteCommand` so the effect and the record commit together, then return the same
   * `response`. It is conditioned on this invocation still holding the claim, so a duplicate that
   * took over a stale claim makes the whole transaction (and so the second effect) fail.
   */
  recordItem(response: HttpResponse): TransactItem;
}

/** The request as a route handler sees it. */
export interface HttpRequest<TBody = unknown> {
  /** The HTTP method. */
  readonly method: HttpMethod;
  /** The route template that matched, e.g. `/tasks/{task_uid}/solutions`. */
  readonly route: string;
  /** The concrete path, e.g. `/tasks/0b6c…/solutions`. */
  readonly path: string;
  /** Path parameters (URL-decoded, `*_uid` ones already checked to be UUIDs). */
  readonly pathParameters: Readonly<Record<string, string>>;
  /** Query string parameters (last value wins). */
  readonly query: Readonly<Record<string, string>>;
  /** Request headers with lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  /** The parsed JSON body, validated against the route's `bodySchema` when it has one. */
  readonly body: TBody;
  /** API Gateway's request id (the Lambda request id when absent). */
  readonly requestId: string;
  /** Present on idempotent routes when the client sent an `Idempotency-Key`. */
  readonly idempotency?: IdempotencyContext;
  readonly logger: Logger;
  readonly event: APIGatewayProxyEvent;
  readonly context?: Context;
}

/** A route handler. Throw `NotFoundError`, `ConflictError`, `ValidationError` for 4xx answers. */
export type RouteHandler<TBody = unknown> = (request: HttpRequest<TBody>) => Promise<HttpResponse> | HttpResponse;

/**
 * A handler of any body type. Each handler declares its own body (checked by its route's validator
 * before it runs); `never` as the body type accepts all of them without `any`, since a handler of
 * `HttpRequest<X>` can be given where a handler of `HttpRequest<never>` is expected.
 */
export type AnyRouteHandler = RouteHandler<never>;

/**
 * One route of an API: a declared route (`RouteDeclaration`: method, path, idempotent) bound to its
 * handler and to the validator of its body.
 */
export type Route<TBody = unknown> = Pick<RouteDeclaration, 'method' | 'path' | 'idempotent'> & {
  /** Validator of the JSON body; when set a body is required. */
  readonly bodySchema?: BodyValidator;
  readonly handler: RouteHandler<TBody>;
};

/** Where idempotency records live: the service's own single-table design table. */
export interface IdempotencyConfig {
  tableName: string;
  client: DynamoDBDocumentClient;
  /** @default 86400 (24 h) */
  ttlSeconds?: number;
  /** How long an unfinished claim blocks duplicates before it may be taken over. @default 60 */
  inProgressSeconds?: number;
  /** Clock in epoch milliseconds (tests). @default Date.now */
  now?: () => number;
}

/** A route of any body type (see {@link AnyRouteHandler}). */
export type AnyRoute = Route<never>;

/** Options of `createHttpApi`. */
export interface HttpApiOptions {
  routes: readonly AnyRoute[];
  /** Required as soon as one route is idempotent (every POST by default). */
  idempotency?: IdempotencyConfig;
  /** @default 65536 */
  maxBodyBytes?: number;
  /** @default the shared Powertools logger (`lambdas/shared/observability.ts`), named by `POWERTOOLS_SERVICE_NAME` */
  logger?: Logger;
}

/** The Lambda handler `createHttpApi` returns. */
export type HttpApiHandler = (event: APIGatewayProxyEvent, context?: Context) => Promise<APIGatewayProxyResult>;

/** Retry policy of `callService`: exponential backoff with full jitter, bounded twice. */
export interface RetryOptions {
  /** @default 4 */
  maxAttempts?: number;
  /** Upper bound of the first delay. @default 100 */
  baseDelayMs?: number;
  /** Cap of any delay. @default 2000 */
  maxDelayMs?: number;
  /** Budget of the whole call, attempts and delays included. @default 10000 */
  totalTimeoutMs?: number;
}

/** Credentials as SigV4 needs them. */
export interface ServiceCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Options of `callService`. */
export interface CallServiceOptions {
  /** The callee API's invoke URL, stage included, e.g. `https://abc.execute-api.eu-west-1.amazonaws.com/prod`. */
  baseUrl: string;
  method: HttpMethod;
  /** Path below `baseUrl`, e.g. `/internal/tasks/{uid}/rating`, optionally with a query string. */
  path: string;
  /** JSON body. */
  body?: unknown;
  /** Sent as `Idempotency-Key`; give one on every POST so retries and later redeliveries are safe. */
  idempotencyKey?: string;
  /** Extra headers (signed too). */
  headers?: Record<string, string>;
  /** Per-attempt timeout. @default 3000 */
  timeoutMs?: number;
  retry?: RetryOptions;
  /** @default process.env.AWS_REGION */
  region?: string;
  /** @default the default credential provider chain */
  credentials?: ServiceCredentials | (() => Promise<ServiceCredentials>);
  /** SigV4 service name. @default 'execute-api' */
  signingService?: string;
  /** Randomness of the jitter (tests). @default Math.random */
  random?: () => number;
}

/** A 2xx answer of `callService`. */
export interface ServiceResponse<TBody = unknown> {
  status: number;
  /** Parsed JSON body (`null` when empty; raw text when not JSON). */
  body: TBody;
  headers: Record<string, string>;
  /** Attempts it took. */
  attempts: number;
}
