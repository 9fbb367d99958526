import { SignatureV4 } from '@smithy/signature-v4';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { vi } from 'vitest';
import { Sha256 } from '../../../lambdas/shared/http/Sha256.js';
import type { ServiceName } from '../../../lambdas/shared/registry/index.js';
import { apiEvent, resolveRoute } from './apiEvent.js';

type ApiHandler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

/** One request that reached the fake network (answered or refused). */
export interface NetworkRequest {
  readonly service: ServiceName;
  readonly method: string;
  /** Path under the stage, e.g. `/internal/tasks/<uid>/rating`. */
  readonly path: string;
  /** Lower-case header names. */
  readonly headers: Record<string, string>;
  readonly body: unknown;
  readonly status: number;
}

const STAGE = '/v1';

/** Base URL of a service's API on the fake network (stage included), e.g. `https://bonus.local/v1`. */
export const baseUrlOf = (service: ServiceName): string => `https://${service}.local${STAGE}`;

/**
 * Replaces global `fetch` (what `callService` uses) with an in-process network: a request to
 * `https://<service>.local/v1/<path>` becomes an API Gateway proxy event for that service's API
 * handler (route template resolved from the service's ROUTES, as API Gateway would), and its
 * result the Response. A service marked down answers 503 without reaching its handler. Every
 * request is recorded. Any other URL fails: nothing leaves the process.
 */
export class FakeNetwork {
  readonly requests: NetworkRequest[] = [];
  private readonly services = new Map<string, { service: ServiceName; handler: ApiHandler; routes: readonly { method: string; path: string }[] }>();
  private readonly down = new Set<ServiceName>();

  mount(service: ServiceName, handler: ApiHandler, routes: readonly { method: string; path: string }[]): this {
    this.services.set(new URL(baseUrlOf(service)).host, { service, handler, routes });
    return this;
  }

  /** Takes `service` down (503 to every request) or brings it back. */
  setDown(service: ServiceName, down = true): void {
    if (down) this.down.add(service);
    else this.down.delete(service);
  }

  /** Stubs the global `fetch` with this network (undo with `vi.unstubAllGlobals()`). */
  install(): this {
    vi.stubGlobal('fetch', (input: string | URL | Request, init?: RequestInit) => this.fetch(input, init));
    return this;
  }

  requestsTo(service: ServiceName, path?: string): NetworkRequest[] {
    return this.requests.filter((r) => r.service === service && (path === undefined || r.path === path));
  }

  /** Like fetch: the caller's AbortSignal (its per-attempt timeout) rejects the call with an AbortError. */
  private fetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
    const signal = init.signal;
    if (!signal) return this.exchange(input, init);
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise<Response>((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      this.exchange(input, init).then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  private async exchange(input: string | URL | Request, init: RequestInit): Promise<Response> {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const target = this.services.get(url.host);
    if (!target || !url.pathname.startsWith(`${STAGE}/`)) throw new TypeError(`fetch failed: ${url.href} is not on the fake network`);
    const method = (init.method ?? 'GET').toUpperCase();
    const headers = Object.fromEntries([...new Headers(init.headers).entries()].map(([k, v]) => [k.toLowerCase(), v]));
    const text = typeof init.body === 'string' ? init.body : undefined;
    const path = url.pathname.slice(STAGE.length);
    const record = (status: number) =>
      this.requests.push({ service: target.service, method, path, headers, body: text === undefined ? undefined : JSON.parse(text), status });

    if (this.down.has(target.service)) {
      record(503);
      return new Response(JSON.stringify({ message: 'Service Unavailable' }), { status: 503, headers: { 'content-type': 'application/json' } });
    }
    // API Gateway's IAM authorizer on the internal routes: a valid SigV4 signature or 403.
    if (path.startsWith('/internal/')) {
      const refusal = await this.checkSignature(url, method, headers, text);
      if (refusal) {
        record(403);
        return new Response(JSON.stringify({ message: refusal }), { status: 403, headers: { 'content-type': 'application/json' } });
      }
    }
    const route = resolveRoute(target.routes, method, path);
    if (!route) {
      record(404);
      return new Response(JSON.stringify({ message: 'Missing Authentication Token' }), { status: 403 });
    }
    const event = apiEvent({ method: method as 'GET' | 'POST' | 'PUT', resource: route.resource, pathParameters: route.pathParameters, body: text, headers });
    const result = await target.handler(event);
    record(result.statusCode);
    return new Response(result.body === '' ? null : result.body, {
      status: result.statusCode,
      headers: Object.fromEntries(Object.entries(result.headers ?? {}).map(([k, v]) => [k, String(v)])),
    });
  }

  /** Recomputes the SigV4 signature with the credentials of the environment; a reason when it does not match. */
  private async checkSignature(url: URL, method: string, headers: Record<string, string>, body: string | undefined): Promise<string | undefined> {
    const authorization = headers.authorization ?? '';
    const match = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/execute-api\/aws4_request, SignedHeaders=([^,]+), Signature=[0-9a-f]{64}$/.exec(
      authorization,
    );
    const amzDate = headers['x-amz-date'];
    if (!match || !amzDate) return `not a SigV4 execute-api request: ${authorization || 'no Authorization header'}`;
    const [, accessKeyId, , region, signedHeaders] = match;
    if (accessKeyId !== process.env.AWS_ACCESS_KEY_ID) return `unknown access key ${accessKeyId}`;
    const signed: Record<string, string> = {};
    for (const name of signedHeaders!.split(';')) {
      const value = name === 'host' ? url.host : headers[name];
      if (value === undefined) return `signed header ${name} missing`;
      signed[name] = value;
    }
    const signer = new SignatureV4({
      service: 'execute-api',
      region: region!,
      credentials: { accessKeyId: accessKeyId!, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? '' },
      sha256: Sha256,
    });
    const signingDate = new Date(amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
    const expected = await signer.sign(
      { method, protocol: url.protocol, hostname: url.hostname, path: url.pathname, query: Object.fromEntries(url.searchParams), headers: signed, body },
      { signingDate },
    );
    return expected.headers.authorization === authorization ? undefined : 'The request signature we calculated does not match the signature you provided';
  }
}
