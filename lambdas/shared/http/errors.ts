/**
 * Errors a route handler throws to produce a 4xx answer, and errors `callService` throws.
 *
 * Handlers throw these instead of building error responses so domain code stays free of HTTP
 * details; the router maps them to the shared error body `{"error": {"code", "message", "field"?}}`.
 */

/**
 * Base of every error the router turns into a non-500 response.
 *
 * @example
 * ```ts
 * throw new HttpError(410, 'task_archived', 'task is archived');
 * ```
 */
export class HttpError extends Error {
  public readonly status: number;
  public readonly code: string;
  public readonly field?: string;
  /** Extra response headers (e.g. `Allow` on 405). */
  public readonly headers?: Record<string, string>;

  public constructor(
    status: number,
    code: string,
    message: string,
    options: { field?: string; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
    this.field = options.field;
    this.headers = options.headers;
  }
}

/**
 * The addressed entity does not exist -> 404 `not_found`.
 *
 * @example
 * ```ts
 * if (!task) throw new NotFoundError(`task ${taskUid} not found`);
 * ```
 */
export class NotFoundError extends HttpError {
  public constructor(message = 'not found', code = 'not_found') {
    super(404, code, message);
    this.name = 'NotFoundError';
  }
}

/**
 * The request contradicts the current state -> 409 `conflict` (or a more specific code).
 *
 * @example
 * ```ts
 * throw new ConflictError('task is not assigned to this candidate', 'task_not_assigned');
 * ```
 */
export class ConflictError extends HttpError {
  public constructor(message = 'conflict', code = 'conflict') {
    super(409, code, message);
    this.name = 'ConflictError';
  }
}

/**
 * A field of the request is invalid -> 400 `validation_error` naming the field.
 *
 * @example
 * ```ts
 * throw new ValidationError('body.manager_uid', 'manager_uid does not name a known manager');
 * ```
 */
export class ValidationError extends HttpError {
  public constructor(field: string, message: string, code = 'validation_error') {
    super(400, code, message, { field });
    this.name = 'ValidationError';
  }
}

/**
 * The called service could not be reached within the retry budget (network errors, timeouts,
 * 429, 5xx). The call may or may not have taken effect: record it durably (outbox) and deliver it
 * later with the same idempotency key.
 */
export class ServiceUnavailableError extends Error {
  /** Number of attempts made. */
  public readonly attempts: number;
  /** Last HTTP status seen, if any attempt got an answer. */
  public readonly lastStatus?: number;

  public constructor(message: string, attempts: number, lastStatus?: number, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'ServiceUnavailableError';
    this.attempts = attempts;
    this.lastStatus = lastStatus;
  }
}

/**
 * The called service answered with a 4xx (other than 429): retrying the same request cannot help.
 */
export class ServiceCallRejectedError extends Error {
  public readonly status: number;
  /** Parsed JSON body of the answer (or its raw text when it is not JSON). */
  public readonly body: unknown;
  /** `error.code` of the answer when it follows the shared error format. */
  public readonly code?: string;

  public constructor(message: string, status: number, body: unknown) {
    super(message);
    this.name = 'ServiceCallRejectedError';
    this.status = status;
    this.body = body;
    this.code = errorCodeOf(body);
  }
}

/** `body.error.code` when `body` follows the shared error format. */
export function errorCodeOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const error = (body as { error?: unknown }).error;
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}
