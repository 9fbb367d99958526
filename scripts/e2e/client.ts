/**
 * A small HTTP client for the three public APIs, shared by the end-to-end suite, `npm run demo` and
 * `npm run bench`. Against the offline runtime requests go unsigned (API Gateway's AWS_IAM is not
 * enforced locally); against a deployed stack (LocalStack or AWS) every request is SigV4-signed for
 * `execute-api` with the default credential chain. `E2E_SIGV4=true|false` forces either way.
 */
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '../../lambdas/shared/http/Sha256.js';
import { joinUrl, type EndpointsFile, type ServiceName } from '../../local/endpointsFile.js';
import type { LooseJson } from '../../local/looseJson.js';

export interface ApiAnswer<T = LooseJson> {
  readonly status: number;
  readonly body: T;
  readonly headers: Record<string, string>;
}

export interface RequestOptions {
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  readonly idempotencyKey?: string;
}

/** The system is not answering at all (connection refused, DNS, timeout). */
export class SystemUnreachableError extends Error {
  constructor(
    readonly url: string,
    cause: unknown,
  ) {
    super(`${url} is not answering (${(cause as Error)?.cause ?? (cause as Error)?.message ?? cause})`);
    this.name = 'SystemUnreachableError';
  }
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/;

/** Whether requests to `baseUrl` are signed: not on loopback unless `E2E_SIGV4=true`. */
export function shouldSign(baseUrl: string, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.E2E_SIGV4 === 'true') return true;
  if (env.E2E_SIGV4 === 'false') return false;
  return !LOOPBACK.test(new URL(baseUrl).hostname);
}

/** The region of an `https://<id>.execute-api.<region>.amazonaws.com/...` URL, else the environment's. */
export function regionOf(baseUrl: string, env: NodeJS.ProcessEnv = process.env): string {
  const match = /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com$/.exec(new URL(baseUrl).hostname);
  return match?.[1] ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
}

export class ApiClient {
  private signers = new Map<string, SignatureV4>();

  constructor(
    readonly endpoints: Pick<EndpointsFile, ServiceName>,
    private readonly options: { timeoutMs?: number } = {},
  ) {}

  url(service: ServiceName, path: string): string {
    return joinUrl(this.endpoints[service], path);
  }

  async request<T = LooseJson>(service: ServiceName, method: string, path: string, options: RequestOptions = {}): Promise<ApiAnswer<T>> {
    const url = new URL(this.url(service, path));
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    let headers: Record<string, string> = {
      accept: 'application/json',
      ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
      ...(options.idempotencyKey === undefined ? {} : { 'idempotency-key': options.idempotencyKey }),
      ...options.headers,
    };
    if (shouldSign(this.endpoints[service])) {
      const signed = await this.signer(this.endpoints[service]).sign({
        method,
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port ? Number(url.port) : undefined,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: { host: url.host, ...headers },
        body: payload,
      });
      const { host: _host, ...rest } = signed.headers as Record<string, string>;
      void _host;
      headers = rest;
    }
    let response: Response;
    try {
      response = await fetch(url, { method, headers, body: payload, signal: AbortSignal.timeout(this.options.timeoutMs ?? 15_000) });
    } catch (error) {
      throw new SystemUnreachableError(`${method} ${url.href}`, error);
    }
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, body: body as T, headers: Object.fromEntries(response.headers) };
  }

  private signer(baseUrl: string): SignatureV4 {
    const region = regionOf(baseUrl);
    let signer = this.signers.get(region);
    if (!signer) {
      signer = new SignatureV4({ service: 'execute-api', region, credentials: defaultProvider(), sha256: Sha256 });
      this.signers.set(region, signer);
    }
    return signer;
  }
}

/** Thrown by the steps when a service answers something else than the expected status. */
export class UnexpectedAnswerError extends Error {
  constructor(
    readonly what: string,
    readonly answer: ApiAnswer,
    expected: number,
  ) {
    super(`${what}: expected ${expected}, got ${answer.status} ${JSON.stringify(answer.body)}`);
    this.name = 'UnexpectedAnswerError';
  }
}
