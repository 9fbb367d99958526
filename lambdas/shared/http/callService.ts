import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { IDEMPOTENCY_KEY_HEADER } from './constants.js';
import { backoffDelay } from './backoffDelay.js';
import { errorCodeOf, ServiceCallRejectedError, ServiceUnavailableError } from './errors.js';
import { Sha256 } from './Sha256.js';
import type { CallServiceOptions, ServiceCredentials, ServiceResponse } from './types.js';

const DEFAULTS = { timeoutMs: 3_000, maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 2_000, totalTimeoutMs: 10_000 } as const;

// One provider per container: it caches credentials and refreshes them before they expire.
let defaultCredentials: (() => Promise<ServiceCredentials>) | undefined;

/**
 * Calls another service's (internal) route through its IAM-authorized API Gateway: signs every
 * attempt with SigV4 (`execute-api`), retries network errors, timeouts, 429 and 5xx with
 * exponential backoff and full jitter within `maxAttempts` and `totalTimeoutMs`, and does not retry
 * other answers.
 *
 * A 409 whose `error.code` is `request_in_progress` is retried too: it is the callee's idempotency
 * layer saying a duplicate of this very request is running, and the retry will get its answer.
 *
 * Outcomes: a 2xx resolves to `{status, body, headers, attempts}`; `ServiceCallRejectedError` for
 * any other 3xx/4xx (the callee said no; retrying cannot help); `ServiceUnavailableError` when the
 * budget is spent — the request may or may not have been applied, so the caller records it in its
 * durable outbox and delivers it later with the same `idempotencyKey`. Give an `idempotencyKey` on
 * every POST: retries resend the request.
 *
 * @example
 * ```ts
 * try {
 *   await callService({
 *     baseUrl: process.env.BONUS_API_URL!,
 *     method: 'PUT',
 *     path: `/internal/tasks/${taskUid}/rating`,
 *     body: { rating: 4, version },
 *     idempotencyKey: `rating-${taskUid}-${version}`,
 *   });
 * } catch (error) {
 *   if (error instanceof ServiceUnavailableError) await outbox.record(...); // delivered later
 *   else throw error;
 * }
 * ```
 */
export async function callService<TBody = unknown>(options: CallServiceOptions): Promise<ServiceResponse<TBody>> {
  const timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
  const maxAttempts = Math.max(1, options.retry?.maxAttempts ?? DEFAULTS.maxAttempts);
  const backoff = {
    baseDelayMs: options.retry?.baseDelayMs ?? DEFAULTS.baseDelayMs,
    maxDelayMs: options.retry?.maxDelayMs ?? DEFAULTS.maxDelayMs,
  };
  const totalTimeoutMs = options.retry?.totalTimeoutMs ?? DEFAULTS.totalTimeoutMs;
  const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!region) throw new Error('callService needs a region: set AWS_REGION or pass region');

  const url = new URL(options.baseUrl.replace(/\/+$/, '') + options.path);
  const method = options.method;
  const description = `${method} ${url.origin}${url.pathname}`;
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  const signer = new SignatureV4({
    service: options.signingService ?? 'execute-api',
    region,
    // biome-ignore lint/suspicious/noAssignInExpressions: the default provider chain is built once, on the first call without credentials.
    credentials: options.credentials ?? (defaultCredentials ??= defaultProvider()),
    sha256: Sha256,
  });

  const started = Date.now();
  let lastStatus: number | undefined;
  let lastError: unknown;
  for (let attempt = 1; ; attempt += 1) {
    const remaining = totalTimeoutMs - (Date.now() - started);
    let retryAfterMs = 0;
    const signed = await signer.sign({
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: {
        host: url.host,
        accept: 'application/json',
        ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
        ...(options.idempotencyKey === undefined ? {} : { [IDEMPOTENCY_KEY_HEADER.toLowerCase()]: options.idempotencyKey }),
        ...lowerCaseKeys(options.headers),
      },
      body: payload,
    });
    // fetch sets Host itself from the URL (the same value that was signed).
    const { host: _host, ...headers } = signed.headers;
    void _host;

    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), Math.max(1, Math.min(timeoutMs, remaining)));
    try {
      const response = await fetch(url, { method, headers, body: payload, signal: abort.signal, redirect: 'manual' });
      const text = await response.text();
      const body = parseBody(text);
      lastStatus = response.status;
      lastError = undefined;
      if (response.status >= 200 && response.status < 300) {
        return { status: response.status, body: body as TBody, headers: Object.fromEntries(response.headers), attempts: attempt };
      }
      const retryable =
        response.status === 429 || response.status >= 500 || (response.status === 409 && errorCodeOf(body) === 'request_in_progress');
      if (!retryable) {
        throw new ServiceCallRejectedError(`${description} answered ${response.status}`, response.status, body);
      }
      retryAfterMs = retryAfter(response.headers.get('retry-after'));
    } catch (error) {
      if (error instanceof ServiceCallRejectedError) throw error;
      // Network failure or our timeout: the request may or may not have reached the callee.
      lastError = error;
    } finally {
      clearTimeout(timer);
    }

    const delay = Math.min(Math.max(backoffDelay(attempt, backoff, options.random), retryAfterMs), backoff.maxDelayMs);
    const elapsed = Date.now() - started;
    if (attempt >= maxAttempts || elapsed + delay >= totalTimeoutMs) {
      const why = lastError !== undefined ? `last error: ${(lastError as Error).message ?? String(lastError)}` : `last status ${lastStatus}`;
      throw new ServiceUnavailableError(
        `${description} unavailable after ${attempt} attempt(s) in ${elapsed} ms (${why})`,
        attempt,
        lastStatus,
        lastError,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

function parseBody(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** `Retry-After` in seconds (the HTTP-date form is rare from API Gateway and ignored). */
function retryAfter(value: string | null): number {
  const seconds = value === null ? NaN : Number(value);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 0;
}

function lowerCaseKeys(headers: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
}
