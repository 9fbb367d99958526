/**
 * The HTTP client of a chaos run: JSON requests to the services' APIs that are retried on 5xx, 429,
 * 409 `request_in_progress` / `write_conflict` and connection errors with the SAME `Idempotency-Key`
 * (that is what the key is for), with a bounded number of requests in flight. Retries are counted by
 * reason.
 */
import { waitFor } from '../net.js';
import type { LooseJson } from '../looseJson.js';

export interface ApiAnswer {
  readonly status: number;
  readonly body: LooseJson;
  /** Attempts that failed transiently before this answer (0 = first try). */
  readonly retries: number;
}

export interface ApiClientOptions {
  /** Base URLs (ending in `/`) by service. */
  readonly baseUrls: Record<string, string>;
  /** Requests in flight at most. */
  readonly concurrency: number;
  /** Give up on one request after this long (retries included). Default 180 s (a stale claim locks a key for 60 s). */
  readonly deadlineMs?: number;
  /**
   * How long `sendUntil` waits for an entity to propagate. Default 300 s: a ceiling, not a budget. Under
   * faults a propagation can be a call timed out, deferred, crashed in its deliverer and retried with
   * growing delays; on a loaded 2-core machine that took over 120 s.
   */
  readonly propagationTimeoutMs?: number;
}

export class ApiClient {
  private readonly retryCounts = new Map<string, number>();
  private active = 0;
  private readonly queue: Array<() => void> = [];
  requests = 0;

  constructor(private readonly options: ApiClientOptions) {}

  /** Client retries so far, by reason (`503`, `429`, `network`, `409 request_in_progress`...). */
  retries(): Record<string, number> {
    return Object.fromEntries([...this.retryCounts.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }

  totalRetries(): number {
    return [...this.retryCounts.values()].reduce((a, b) => a + b, 0);
  }

  private async slot<T>(run: () => Promise<T>): Promise<T> {
    if (this.active >= this.options.concurrency) await new Promise<void>((resolve) => this.queue.push(resolve));
    this.active += 1;
    try {
      return await run();
    } finally {
      this.active -= 1;
      this.queue.shift()?.();
    }
  }

  /**
   * One logical request: retried until it gets a non-transient answer (any 2xx/4xx except 409
   * `request_in_progress` / `write_conflict` and 429). Throws after the deadline.
   */
  async send(service: string, method: string, path: string, body?: unknown, idempotencyKey?: string): Promise<ApiAnswer> {
    const url = new URL(path.replace(/^\//, ''), this.options.baseUrls[service] ?? fail(`no base URL for ${service}`)).toString();
    let deadline: number | undefined; // from the first attempt actually sent (not while queued for a slot)
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
    for (let attempt = 0; ; attempt++) {
      let reason: string;
      try {
        const answer = await this.slot(async () => {
          this.requests += 1;
          deadline ??= Date.now() + (this.options.deadlineMs ?? 180_000);
          const response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(60_000) });
          const text = await response.text();
          let parsed: unknown = text;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            // not JSON: kept as text
          }
          return { status: response.status, body: parsed };
        });
        const code = (answer.body as { error?: { code?: string } } | undefined)?.error?.code;
        const retry409 = answer.status === 409 && (code === 'request_in_progress' || code === 'write_conflict');
        if (answer.status < 500 && answer.status !== 429 && !retry409) return { ...answer, retries: attempt };
        reason = retry409 ? `409 ${code} (${method} ${path.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '{uid}')})` : String(answer.status);
      } catch (error) {
        reason = `network (${(error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name})`;
      }
      this.retryCounts.set(reason, (this.retryCounts.get(reason) ?? 0) + 1);
      if (deadline !== undefined && Date.now() > deadline) throw new Error(`${method} ${path}: still failing after ${attempt + 1} attempts (last: ${reason})`);
      // Back-off between attempts (exponential, capped): a retry policy, not a wait for a condition.
      await new Promise((resolve) => setTimeout(resolve, Math.min(2000, 50 * 2 ** Math.min(attempt, 6))));
    }
  }

  /**
   * Repeats a request (same key) until `ready` accepts the answer: for answers that mean "not
   * propagated yet" (404 before a service learnt an entity from an event). `fatal` answers stop at once.
   */
  async sendUntil(
    service: string,
    method: string,
    path: string,
    body: unknown,
    idempotencyKey: string | undefined,
    ready: (answer: ApiAnswer) => boolean,
    notYet: (answer: ApiAnswer) => boolean,
    onWait: () => void,
    timeoutMs = this.options.propagationTimeoutMs ?? 300_000,
  ): Promise<ApiAnswer> {
    const result = await waitFor(
      async () => {
        const last = await this.send(service, method, path, body, idempotencyKey);
        if (ready(last)) return { answer: last };
        if (notYet(last)) {
          onWait();
          return undefined;
        }
        return { answer: last, fatal: true };
      },
      { timeoutMs, intervalMs: 100, what: `${method} ${path} to be accepted` },
    );
    if ('fatal' in result) throw new Error(`${method} ${path}: unexpected ${result.answer.status} ${JSON.stringify(result.answer.body)}`);
    return result.answer;
  }
}

function fail(message: string): never {
  throw new Error(message);
}
