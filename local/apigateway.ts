/**
 * API Gateway (REST, v1) from `AWS::ApiGateway::RestApi` / `Resource` / `Method` / `Stage`:
 * one HTTP server (port) per RestApi, serving `http://127.0.0.1:<port>/<stage>/<path>` like
 * `https://<id>.execute-api.<region>.amazonaws.com/<stage>/<path>`.
 *
 * - routes: literal path parts win over `{param}`, which win over `{proxy+}` (greedy); `ANY` matches
 *   every method;
 * - `AWS_PROXY` integrations whose Uri names a Lambda function get the REST proxy event (payload v1)
 *   and must answer `{statusCode, headers?, multiValueHeaders?, body?, isBase64Encoded?}`;
 *   a function error or a malformed answer gives 502, a timeout 504 (29 s cap) like API Gateway;
 * - `MOCK` integrations (CDK's CORS preflight) answer with their first integration response;
 * - an unknown path or method gives 403 `{"message":"Missing Authentication Token"}` as API Gateway;
 * - the API's own errors (unknown route, malformed URL, body not UTF-8 or over 10 MB, function error,
 *   timeout) use the template's `AWS::ApiGateway::GatewayResponse`s (type, then DEFAULT_4XX/5XX), else
 *   API Gateway's default `{"message": ...}`; malformed requests never take the server down (see
 *   `http-server.ts`);
 * - `AWS_IAM` and authorizers are not enforced locally (logged once per API).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LOCAL_ACCOUNT, type CfnProperties, type CloudAssembly, type Resolver, type ResourceRef } from './assembly.js';
import { startLocalHttpServer, type ErrorReply, type LocalHttpServer } from './http-server.js';
import { LambdaInvocationError } from './lambda-runner.js';
import { readBody, RequestBodyError } from './net.js';

export interface ApiMethod {
  readonly httpMethod: string;
  readonly kind: 'lambda' | 'mock';
  /** Function ARN for `lambda`. */
  readonly functionArn?: string;
  readonly authorizationType: string;
  readonly mock?: { statusCode: number; headers: Record<string, string>; body?: string };
}

export interface ApiRoute {
  /** Resource path as written in the template, e.g. `/tasks/{id}`. */
  readonly resourcePath: string;
  readonly resourceId: string;
  readonly parts: readonly string[];
  readonly methods: readonly ApiMethod[];
}

/** An `AWS::ApiGateway::GatewayResponse`: how the API answers one kind of its own errors. */
export interface GatewayResponse {
  readonly statusCode?: number;
  readonly headers: Record<string, string>;
  /** The `application/json` template (`$context.error.messageString`, `$context.error.responseType`...). */
  readonly template?: string;
}

/** The gateway response types the local API produces. */
export type GatewayErrorType =
  | 'MISSING_AUTHENTICATION_TOKEN'
  | 'BAD_REQUEST_PARAMETERS'
  | 'BAD_REQUEST_BODY'
  | 'REQUEST_TOO_LARGE'
  | 'INTEGRATION_FAILURE'
  | 'INTEGRATION_TIMEOUT'
  | 'DEFAULT_4XX'
  | 'DEFAULT_5XX';

const GATEWAY_DEFAULT_STATUS: Record<GatewayErrorType, number> = {
  MISSING_AUTHENTICATION_TOKEN: 403,
  BAD_REQUEST_PARAMETERS: 400,
  BAD_REQUEST_BODY: 400,
  REQUEST_TOO_LARGE: 413,
  INTEGRATION_FAILURE: 502,
  INTEGRATION_TIMEOUT: 504,
  DEFAULT_4XX: 400,
  DEFAULT_5XX: 500,
};

/** API Gateway's payload limit (REST APIs): 10 MB. */
export const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

export interface LocalApi {
  readonly key: string;
  readonly name: string;
  readonly id: string;
  readonly stage: string;
  readonly routes: readonly ApiRoute[];
  /** By response type (`DEFAULT_4XX`, `MISSING_AUTHENTICATION_TOKEN`...). */
  readonly gatewayResponses: ReadonlyMap<string, GatewayResponse>;
}

const FUNCTION_IN_URI = /functions\/(arn:[^/]+:lambda:[^/]+:[^/]+:function:[^/:]+(?::[^/]+)?)\/invocations/;

/** Reads every RestApi of the assembly into routes. */
export function loadApis(assembly: CloudAssembly, resolver: Resolver): LocalApi[] {
  const apis: LocalApi[] = [];
  const resources = assembly.resources('AWS::ApiGateway::Resource');
  const methods = assembly.resources('AWS::ApiGateway::Method');
  const stages = assembly.resources('AWS::ApiGateway::Stage');
  const gatewayResponses = assembly.resources('AWS::ApiGateway::GatewayResponse').map((ref) => resolver.properties(ref));
  for (const api of assembly.resources('AWS::ApiGateway::RestApi')) {
    const id = String(resolver.ref(api));
    const rootId = String(resolver.getAtt(api, 'RootResourceId'));
    const props = resolver.properties(api);
    const paths = new Map<string, string[]>([[rootId, []]]);
    const mine = resources.map((ref) => ({ ref, props: resolver.properties(ref) })).filter((r) => r.props.RestApiId === id);
    const pathOf = (resourceId: string, depth = 0): string[] => {
      const known = paths.get(resourceId);
      if (known) return known;
      const entry = mine.find((r) => String(resolver.ref(r.ref)) === resourceId);
      if (!entry || depth > 64) throw new Error(`${api.key}: resource ${resourceId} not found`);
      const path = [...pathOf(String(entry.props.ParentId), depth + 1), String(entry.props.PathPart)];
      paths.set(resourceId, path);
      return path;
    };
    for (const r of mine) pathOf(String(resolver.ref(r.ref)));
    const routes = new Map<string, { parts: string[]; methods: ApiMethod[] }>();
    for (const [resourceId, parts] of paths) routes.set(resourceId, { parts, methods: [] });
    for (const ref of methods) {
      const m = resolver.properties(ref) as CfnProperties;
      if (m.RestApiId !== id) continue;
      const route = routes.get(String(m.ResourceId));
      if (!route) throw new Error(`${ref.key}: ResourceId ${m.ResourceId} is not a resource of ${api.key}`);
      route.methods.push(method(ref, m));
    }
    const stageRef = stages.find((s) => resolver.properties(s).RestApiId === id);
    const stage = stageRef ? String(resolver.properties(stageRef).StageName ?? 'prod') : 'prod';
    apis.push({
      key: api.key,
      name: String(props.Name ?? api.logicalId),
      id,
      stage,
      routes: [...routes.entries()].map(([resourceId, r]) => ({ resourceId, parts: r.parts, resourcePath: `/${r.parts.join('/')}`, methods: r.methods })),
      gatewayResponses: new Map(gatewayResponses.filter((g) => g.RestApiId === id).map((g) => [String(g.ResponseType), gatewayResponse(g)])),
    });
  }
  return apis;
}

function method(ref: ResourceRef, m: CfnProperties): ApiMethod {
  const integration = m.Integration ?? {};
  const base = { httpMethod: String(m.HttpMethod).toUpperCase(), authorizationType: String(m.AuthorizationType ?? 'NONE') };
  if (integration.Type === 'AWS_PROXY') {
    const match = FUNCTION_IN_URI.exec(String(integration.Uri ?? ''));
    if (!match) throw new Error(`${ref.key}: AWS_PROXY integration Uri ${integration.Uri} does not name a Lambda function`);
    return { ...base, kind: 'lambda', functionArn: match[1] };
  }
  if (integration.Type === 'MOCK') {
    const response = (integration.IntegrationResponses ?? [])[0] ?? {};
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries((response.ResponseParameters ?? {}) as Record<string, string>)) {
      const name = /^method\.response\.header\.(.+)$/.exec(k)?.[1];
      if (name) headers[name] = String(v).replace(/^'(.*)'$/, '$1');
    }
    const template = response.ResponseTemplates?.['application/json'];
    return { ...base, kind: 'mock', mock: { statusCode: Number(response.StatusCode ?? 200), headers, body: template } };
  }
  throw new Error(`${ref.key}: integration type ${integration.Type} is not supported locally (only AWS_PROXY to Lambda and MOCK)`);
}

function gatewayResponse(props: Record<string, unknown>): GatewayResponse {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries((props.ResponseParameters ?? {}) as Record<string, string>)) {
    const name = /^gatewayresponse\.header\.(.+)$/.exec(k)?.[1];
    if (name) headers[name.toLowerCase()] = String(v).replace(/^'(.*)'$/, '$1');
  }
  const templates = (props.ResponseTemplates ?? {}) as Record<string, string>;
  return {
    statusCode: props.StatusCode === undefined ? undefined : Number(props.StatusCode),
    headers,
    template: templates['application/json'],
  };
}

/**
 * The API's answer to one of its own errors, as API Gateway builds it: the gateway response of that
 * type, else DEFAULT_4XX / DEFAULT_5XX, else `{"message": ...}`. Templates see `$context.error.message`,
 * `$context.error.messageString` (the message as a JSON string), `$context.error.responseType`,
 * `$context.error.validationErrorString` and `$context.requestId`; other `$context` variables are empty.
 */
export function gatewayError(api: LocalApi, type: GatewayErrorType, message: string, requestId: string, status = GATEWAY_DEFAULT_STATUS[type]): { status: number } & ErrorReply {
  const response = api.gatewayResponses.get(type) ?? api.gatewayResponses.get(status >= 500 ? 'DEFAULT_5XX' : 'DEFAULT_4XX');
  const variables: Record<string, string> = {
    'error.message': message,
    'error.messageString': JSON.stringify(message),
    'error.responseType': type,
    'error.validationErrorString': message.replace(/["\\]/g, "'"),
    requestId,
  };
  const body = response?.template
    ? response.template.replace(/\$context\.([A-Za-z]+(?:\.[A-Za-z]+)?)/g, (_, name: string) => variables[name] ?? '')
    : JSON.stringify({ message });
  return {
    status: response?.statusCode ?? status,
    headers: { 'content-type': 'application/json', 'x-amzn-requestid': requestId, 'x-amzn-errortype': type, ...(response?.headers ?? {}) },
    body,
  };
}

function score(route: ApiRoute): number[] {
  // literal parts first, then params, greedy last
  return route.parts.map((p) => (p.endsWith('+}') ? 2 : p.startsWith('{') ? 1 : 0));
}

/** Finds the route for `segments` and its path parameters. */
export function matchRoute(routes: readonly ApiRoute[], segments: readonly string[]): { route: ApiRoute; params: Record<string, string> } | undefined {
  const candidates: Array<{ route: ApiRoute; params: Record<string, string> }> = [];
  for (const route of routes) {
    const params: Record<string, string> = {};
    let ok = true;
    let i = 0;
    for (; i < route.parts.length; i++) {
      const part = route.parts[i]!;
      if (part.startsWith('{') && part.endsWith('+}')) {
        if (i >= segments.length) ok = false;
        else params[part.slice(1, -2)] = segments.slice(i).join('/');
        i = segments.length;
        break;
      }
      const segment = segments[i];
      if (segment === undefined || segment === '') {
        ok = false;
        break;
      }
      if (part.startsWith('{')) params[part.slice(1, -1)] = segment;
      else if (part !== segment) {
        ok = false;
        break;
      }
    }
    if (ok && i === segments.length && (route.parts.length > 0 || segments.length === 0)) candidates.push({ route, params });
  }
  candidates.sort((a, b) => {
    const sa = score(a.route);
    const sb = score(b.route);
    for (let k = 0; k < Math.max(sa.length, sb.length); k++) {
      const d = (sa[k] ?? 3) - (sb[k] ?? 3);
      if (d) return d;
    }
    return 0;
  });
  return candidates[0];
}

export interface ApiServerOptions {
  readonly port?: number;
  readonly invoke: (functionArn: string, event: unknown) => Promise<unknown>;
  /** Receives the server's messages. Default: stderr. */
  readonly log?: (message: string) => void;
}

/** Decodes a body as UTF-8, or says it is not UTF-8 (rather than turning bad bytes into U+FFFD). */
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** One HTTP server for one RestApi. */
export class ApiServer {
  private warnedIam = false;

  private constructor(
    private api: LocalApi,
    private readonly http: LocalHttpServer,
    private readonly options: ApiServerOptions,
  ) {}

  static async start(api: LocalApi, options: ApiServerOptions): Promise<ApiServer> {
    let instance: ApiServer | undefined;
    const http = await startLocalHttpServer({
      port: options.port,
      owner: `API ${api.name}`,
      handle: (req, res) => instance!.handle(req, res),
      // Malformed requests and unexpected errors, in this API's gateway-response shape.
      errorReply: (status, message) => gatewayError(instance?.api ?? api, status >= 500 ? 'DEFAULT_5XX' : 'DEFAULT_4XX', message, randomUUID(), status),
      log: (m) => instance?.log(m),
    });
    instance = new ApiServer(api, http, options);
    return instance;
  }

  get port(): number {
    return this.http.port;
  }

  private log(message: string): void {
    (this.options.log ?? ((m: string) => process.stderr.write(`[local api] ${m}\n`)))(message);
  }

  /** Base URL including the stage, ending with `/`. */
  get url(): string {
    return `http://127.0.0.1:${this.port}/${this.api.stage}/`;
  }

  /** Applies new routes (reload) on the same port. */
  update(api: LocalApi): void {
    this.api = api;
  }

  stop(): Promise<void> {
    return this.http.stop();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const api = this.api;
    const send = (status: number, body: string | Buffer, headers: Record<string, string | string[]> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-requestid': requestId, ...headers }).end(body);
    };
    const fail = (type: GatewayErrorType, message: string, extraHeaders: Record<string, string> = {}, status?: number) => {
      const reply = gatewayError(api, type, message, requestId, status);
      send(reply.status, reply.body, { ...reply.headers, ...extraHeaders });
    };
    let requestBody: Buffer;
    try {
      requestBody = await readBody(req, MAX_REQUEST_BYTES);
    } catch (error) {
      if (!(error instanceof RequestBodyError)) throw error;
      // Nothing to answer to a client that went away; the rest of an oversized body is not read.
      if (error.reason === 'too-large') fail('REQUEST_TOO_LARGE', 'Request Too Long', { connection: 'close' });
      else res.destroy();
      return;
    }
    const raw = req.url ?? '/';
    let url: URL;
    let segments: string[];
    try {
      // Origin-form targets are paths even when they start with `//`; absolute-form ones are URLs.
      url = raw.startsWith('/') ? new URL(`http://localhost${raw}`) : new URL(raw);
      segments = url.pathname.split('/').slice(1).map(decodeURIComponent);
    } catch {
      return fail('BAD_REQUEST_PARAMETERS', 'Invalid request path: not a URL path, or malformed percent-encoding');
    }
    if (segments[0] !== api.stage) return fail('DEFAULT_4XX', 'Forbidden', {}, 403);
    const pathSegments = segments.slice(1);
    if (pathSegments.length && pathSegments[pathSegments.length - 1] === '') pathSegments.pop();
    const httpMethod = (req.method ?? 'GET').toUpperCase();
    const found = matchRoute(api.routes, pathSegments);
    const method = found?.route.methods.find((m) => m.httpMethod === httpMethod) ?? found?.route.methods.find((m) => m.httpMethod === 'ANY');
    if (!found || !method) return fail('MISSING_AUTHENTICATION_TOKEN', 'Missing Authentication Token');
    if (method.authorizationType !== 'NONE' && !this.warnedIam) {
      this.warnedIam = true;
      this.log(`${api.name}: ${method.authorizationType} authorization is not enforced locally`);
    }
    if (method.kind === 'mock') {
      const mock = method.mock!;
      return send(mock.statusCode, mock.body ?? '', mock.headers);
    }
    const contentType = String(req.headers['content-type'] ?? '');
    const binary = requestBody.length > 0 && !/^(text\/|application\/(json|xml|x-www-form-urlencoded|.*\+json))/i.test(contentType) && contentType !== '';
    let textBody: string | undefined;
    if (requestBody.length > 0 && !binary) {
      try {
        textBody = STRICT_UTF8.decode(requestBody);
      } catch {
        return fail('BAD_REQUEST_BODY', 'Invalid request body: not valid UTF-8');
      }
    }
    const event = this.proxyEvent(req, url, found.route, found.params, httpMethod, binary ? requestBody.toString('base64') : textBody ?? null, binary, requestId);
    let result: unknown;
    try {
      result = await Promise.race([
        this.options.invoke(method.functionArn!, event),
        new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 29_000).unref()),
      ]);
    } catch (error) {
      if (error instanceof LambdaInvocationError || !(error instanceof Error) || error.message !== 'timeout') {
        return fail('DEFAULT_5XX', 'Internal server error', {}, 502);
      }
      return fail('INTEGRATION_TIMEOUT', 'Endpoint request timed out');
    }
    const answer = result as { statusCode?: unknown; headers?: Record<string, unknown>; multiValueHeaders?: Record<string, unknown[]>; body?: unknown; isBase64Encoded?: boolean } | null;
    if (!answer || typeof answer !== 'object' || typeof answer.statusCode !== 'number' || (answer.body !== undefined && answer.body !== null && typeof answer.body !== 'string')) {
      this.log(`${api.name}: malformed Lambda proxy response: ${JSON.stringify(result)?.slice(0, 200)}`);
      return fail('DEFAULT_5XX', 'Internal server error', {}, 502);
    }
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(answer.headers ?? {})) headers[k.toLowerCase()] = String(v);
    for (const [k, v] of Object.entries(answer.multiValueHeaders ?? {})) headers[k.toLowerCase()] = (v ?? []).map(String);
    const body = answer.body == null ? '' : answer.isBase64Encoded ? Buffer.from(answer.body as string, 'base64') : (answer.body as string);
    try {
      res.writeHead(answer.statusCode, { 'x-amzn-requestid': requestId, ...headers });
    } catch (error) {
      // An invalid status or header value from the function: API Gateway answers 502 for a malformed response.
      this.log(`${api.name}: malformed Lambda proxy response: ${(error as Error).message}`);
      return fail('DEFAULT_5XX', 'Internal server error', {}, 502);
    }
    res.end(body);
  }

  private proxyEvent(req: IncomingMessage, url: URL, route: ApiRoute, params: Record<string, string>, httpMethod: string, body: string | null, binary: boolean, requestId: string): unknown {
    const headers: Record<string, string> = {};
    const multiValueHeaders: Record<string, string[]> = {};
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i]!;
      const value = req.rawHeaders[i + 1]!;
      headers[name] = value;
      multiValueHeaders[name] = [...(multiValueHeaders[name] ?? []), value];
    }
    const query: Record<string, string> = {};
    const multiQuery: Record<string, string[]> = {};
    for (const [k, v] of url.searchParams) {
      query[k] = v;
      multiQuery[k] = [...(multiQuery[k] ?? []), v];
    }
    const hasQuery = Object.keys(query).length > 0;
    const path = url.pathname.slice(this.api.stage.length + 1) || '/';
    const now = new Date();
    return {
      resource: route.resourcePath,
      path,
      httpMethod,
      headers,
      multiValueHeaders,
      queryStringParameters: hasQuery ? query : null,
      multiValueQueryStringParameters: hasQuery ? multiQuery : null,
      pathParameters: Object.keys(params).length ? params : null,
      stageVariables: null,
      requestContext: {
        accountId: LOCAL_ACCOUNT,
        apiId: this.api.id,
        domainName: String(req.headers.host ?? `127.0.0.1:${this.port}`),
        domainPrefix: this.api.id,
        extendedRequestId: requestId,
        httpMethod,
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        requestId,
        requestTime: now.toISOString(),
        requestTimeEpoch: now.getTime(),
        resourceId: route.resourceId,
        resourcePath: route.resourcePath,
        stage: this.api.stage,
        identity: {
          accountId: null,
          caller: null,
          sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
          user: null,
          userAgent: String(req.headers['user-agent'] ?? ''),
          userArn: null,
          accessKey: null,
          cognitoIdentityId: null,
          cognitoIdentityPoolId: null,
          cognitoAuthenticationProvider: null,
          cognitoAuthenticationType: null,
        },
      },
      body,
      isBase64Encoded: binary,
    };
  }
}
