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
 * - `AWS_IAM` and authorizers are not enforced locally (logged once per API).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { LOCAL_ACCOUNT, type CloudAssembly, type Resolver, type ResourceRef } from './assembly.js';
import { LambdaInvocationError } from './lambda-runner.js';
import { assertPortFree, readBody } from './net.js';

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

export interface LocalApi {
  readonly key: string;
  readonly name: string;
  readonly id: string;
  readonly stage: string;
  readonly routes: readonly ApiRoute[];
}

const FUNCTION_IN_URI = /functions\/(arn:[^/]+:lambda:[^/]+:[^/]+:function:[^/:]+(?::[^/]+)?)\/invocations/;

/** Reads every RestApi of the assembly into routes. */
export function loadApis(assembly: CloudAssembly, resolver: Resolver): LocalApi[] {
  const apis: LocalApi[] = [];
  const resources = assembly.resources('AWS::ApiGateway::Resource');
  const methods = assembly.resources('AWS::ApiGateway::Method');
  const stages = assembly.resources('AWS::ApiGateway::Stage');
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
      const m = resolver.properties(ref) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
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
    });
  }
  return apis;
}

function method(ref: ResourceRef, m: Record<string, any>): ApiMethod { // eslint-disable-line @typescript-eslint/no-explicit-any
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

/** One HTTP server for one RestApi. */
export class ApiServer {
  private warnedIam = false;

  private constructor(
    private api: LocalApi,
    private readonly server: Server,
    readonly port: number,
    private readonly options: ApiServerOptions,
  ) {}

  static async start(api: LocalApi, options: ApiServerOptions): Promise<ApiServer> {
    if (options.port) await assertPortFree(options.port, `API ${api.name}`);
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const instance = new ApiServer(api, server, port, options);
    server.on('request', (req, res) => void instance.handle(req, res));
    return instance;
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

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestBody = await readBody(req);
    const requestId = randomUUID();
    const send = (status: number, body: string, headers: Record<string, string | string[]> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-requestid': requestId, ...headers }).end(body);
    };
    const url = new URL(req.url ?? '/', 'http://localhost');
    const segments = url.pathname.split('/').slice(1).map(decodeURIComponent);
    if (segments[0] !== this.api.stage) return send(403, JSON.stringify({ message: 'Forbidden' }));
    const pathSegments = segments.slice(1);
    if (pathSegments.length && pathSegments[pathSegments.length - 1] === '') pathSegments.pop();
    const httpMethod = (req.method ?? 'GET').toUpperCase();
    const found = matchRoute(this.api.routes, pathSegments);
    const method = found?.route.methods.find((m) => m.httpMethod === httpMethod) ?? found?.route.methods.find((m) => m.httpMethod === 'ANY');
    if (!found || !method) return send(403, JSON.stringify({ message: 'Missing Authentication Token' }));
    if (method.authorizationType !== 'NONE' && !this.warnedIam) {
      this.warnedIam = true;
      this.log(`${this.api.name}: ${method.authorizationType} authorization is not enforced locally`);
    }
    if (method.kind === 'mock') {
      const mock = method.mock!;
      return send(mock.statusCode, mock.body ?? '', mock.headers);
    }
    const event = this.proxyEvent(req, url, found.route, found.params, httpMethod, requestBody, requestId);
    let result: unknown;
    try {
      result = await Promise.race([
        this.options.invoke(method.functionArn!, event),
        new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 29_000).unref()),
      ]);
    } catch (error) {
      if (error instanceof LambdaInvocationError || !(error instanceof Error) || error.message !== 'timeout') {
        return send(502, JSON.stringify({ message: 'Internal server error' }), { 'x-amzn-errortype': 'InternalServerErrorException' });
      }
      return send(504, JSON.stringify({ message: 'Endpoint request timed out' }));
    }
    const answer = result as { statusCode?: unknown; headers?: Record<string, unknown>; multiValueHeaders?: Record<string, unknown[]>; body?: unknown; isBase64Encoded?: boolean } | null;
    if (!answer || typeof answer !== 'object' || typeof answer.statusCode !== 'number' || (answer.body !== undefined && answer.body !== null && typeof answer.body !== 'string')) {
      this.log(`${this.api.name}: malformed Lambda proxy response: ${JSON.stringify(result)?.slice(0, 200)}`);
      return send(502, JSON.stringify({ message: 'Internal server error' }));
    }
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(answer.headers ?? {})) headers[k.toLowerCase()] = String(v);
    for (const [k, v] of Object.entries(answer.multiValueHeaders ?? {})) headers[k.toLowerCase()] = (v ?? []).map(String);
    const body = answer.body == null ? '' : answer.isBase64Encoded ? Buffer.from(answer.body as string, 'base64') : (answer.body as string);
    res.writeHead(answer.statusCode, { 'x-amzn-requestid': requestId, ...headers }).end(body);
  }

  private proxyEvent(req: IncomingMessage, url: URL, route: ApiRoute, params: Record<string, string>, httpMethod: string, body: Buffer, requestId: string): unknown {
    const headers: Record<string, string> = {};
    const multiValueHeaders: Record<string, string[]> = {};
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i]!;
      const value = req.rawHeaders[i + 1]!;
      headers[name] = value;
      (multiValueHeaders[name] ??= []).push(value);
    }
    const query: Record<string, string> = {};
    const multiQuery: Record<string, string[]> = {};
    for (const [k, v] of url.searchParams) {
      query[k] = v;
      (multiQuery[k] ??= []).push(v);
    }
    const hasQuery = Object.keys(query).length > 0;
    const path = url.pathname.slice(this.api.stage.length + 1) || '/';
    const contentType = String(req.headers['content-type'] ?? '');
    const binary = body.length > 0 && !/^(text\/|application\/(json|xml|x-www-form-urlencoded|.*\+json))/i.test(contentType) && contentType !== '';
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
      body: body.length ? (binary ? body.toString('base64') : body.toString('utf8')) : null,
      isBase64Encoded: binary,
    };
  }
}
