/**
 * A small HTTP proxy in front of a local server (DynamoDB Local, the SQS server, the EventBridge
 * emulator or an API): point the clients at {@link ServiceProxy.endpoint}. It does two things, both
 * optional, so one proxy hop carries whatever a run needs:
 *
 * - **faults** (chaos runs): each request is forwarded unchanged unless `decide` returns a fault;
 *   faults are answered the way the real service answers (AWS JSON error shapes and status codes),
 *   so the AWS SDK treats them as it would on AWS: throttling and 5xx are retried by the SDK (and,
 *   once its attempts are spent, classified as transient by the handlers), a reset connection is a
 *   network error;
 * - **layers**: behaviour the real service has and the local server lacks, e.g. DynamoDB's
 *   transaction conflicts (`local/dynamodb-conflicts.ts`). A layer sees each request on its way
 *   upstream and either answers it itself or forwards it (and sees the answer).
 *
 * A fault decided for a request applies before the layers: a `reply`/`reset` never reaches them, an
 * `after` goes through them to the server and only its answer is replaced.
 *
 * Fault actions:
 * - `reply`: answered at once with the error; the request never reaches the service;
 * - `reset`: the connection is destroyed without an answer;
 * - `after`: the request IS forwarded and executed, then the answer is replaced by the error
 *   (a lost response: "the write may or may not have happened").
 *
 * SigV4 signatures name the proxy's host; the local servers do not check them.
 */
import { randomUUID } from 'node:crypto';
import { Agent, createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export type ProxyProtocol = 'dynamodb' | 'sqs' | 'eventbridge' | 'api';

export interface ProxyFault {
  /** Counted under this name, e.g. `dynamodb:throttling`. */
  readonly kind: string;
  readonly action: 'reply' | 'reset' | 'after';
  /** HTTP status of the error answer (ignored for `reset`). */
  readonly status?: number;
  /** AWS error code, e.g. `ThrottlingException`, `InternalServerError`. */
  readonly code?: string;
  readonly message?: string;
}

export interface ProxiedRequest {
  readonly protocol: ProxyProtocol;
  /** `PutItem`, `SendMessage`, `PutEvents` (from `x-amz-target`), or `POST /v1/tasks` for an API. */
  readonly operation: string;
  readonly body: Buffer;
}

/** An HTTP answer, from the server or made by a layer. */
export interface ProxyAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

/**
 * One step between the client and the server. `forward` sends the request on (to the next layer,
 * then the server) and resolves with the answer; a layer may answer without calling it.
 */
export interface ProxyLayer {
  handle(request: ProxiedRequest, forward: () => Promise<ProxyAnswer>): Promise<ProxyAnswer>;
}

export interface ServiceProxyOptions {
  readonly protocol: ProxyProtocol;
  /** The real server, e.g. `http://127.0.0.1:8000`. */
  readonly target: string;
  /** Chaos: the fault for this request, if any. Default: none. */
  readonly decide?: (request: ProxiedRequest) => ProxyFault | undefined;
  /** Called for each injected fault. */
  readonly onFault?: (fault: ProxyFault, request: ProxiedRequest) => void;
  /** Applied in order, outermost first. Default: none. */
  readonly layers?: readonly ProxyLayer[];
}

/** SQS's query-compatible error codes for the `x-amzn-query-error` header. */
const SQS_QUERY_CODES: Record<string, string> = {
  RequestThrottled: 'RequestThrottled;Sender',
  ThrottlingException: 'ThrottlingException;Sender',
  InternalError: 'InternalError;Receiver',
  ServiceUnavailable: 'ServiceUnavailable;Receiver',
};

/**
 * An AWS JSON 1.0 error answer of DynamoDB: `__type` is the namespaced code and the fields are as
 * DynamoDB writes them (`message` for most errors; `TransactionCanceledException` carries `Message`
 * and `CancellationReasons`, pass them in `fields`).
 */
export function dynamodbErrorAnswer(status: number, code: string, fields: Record<string, unknown>): ProxyAnswer {
  const body = Buffer.from(JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${code}`, ...fields }));
  return {
    status,
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': randomUUID(), 'content-length': String(body.length) },
    body,
  };
}

function errorAnswer(protocol: ProxyProtocol, fault: ProxyFault): { status: number; headers: Record<string, string>; body: string } {
  const status = fault.status ?? 500;
  const code = fault.code ?? (status >= 500 ? 'InternalServerError' : 'ThrottlingException');
  const message = fault.message ?? `injected fault (${fault.kind})`;
  const requestId = randomUUID();
  switch (protocol) {
    case 'dynamodb':
      return {
        status,
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': requestId },
        body: JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${code}`, message }),
      };
    case 'sqs':
      return {
        status,
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amzn-requestid': requestId,
          'x-amzn-query-error': SQS_QUERY_CODES[code] ?? `${code};${status >= 500 ? 'Receiver' : 'Sender'}`,
        },
        body: JSON.stringify({ __type: `com.amazonaws.sqs#${code}`, message }),
      };
    case 'eventbridge':
      return {
        status,
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId, 'x-amzn-errortype': code },
        body: JSON.stringify({ __type: code, message }),
      };
    case 'api':
      return { status, headers: { 'content-type': 'application/json', 'x-amzn-requestid': requestId, 'x-amzn-errortype': code }, body: JSON.stringify({ message }) };
  }
}

export class ServiceProxy {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });
  private readonly target: URL;

  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly options: ServiceProxyOptions,
  ) {
    this.target = new URL(options.target);
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  static async start(options: ServiceProxyOptions): Promise<ServiceProxy> {
    const server = createServer();
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    const proxy = new ServiceProxy(server, typeof address === 'object' && address ? address.port : 0, options);
    server.on('request', (req, res) => void proxy.handle(req, res));
    return proxy;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.agent.destroy();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of req) chunks.push(chunk as Buffer);
    } catch {
      return; // the client went away
    }
    const body = Buffer.concat(chunks);
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = this.options.protocol === 'api' ? `${req.method} ${(req.url ?? '').split('?')[0]}` : target.slice(target.lastIndexOf('.') + 1) || '(none)';
    const request: ProxiedRequest = { protocol: this.options.protocol, operation, body };
    const fault = this.options.decide?.(request);
    if (fault) this.options.onFault?.(fault, request);

    if (fault?.action === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fault?.action === 'reply') return this.answerError(res, fault);
    let answer: ProxyAnswer;
    try {
      answer = await this.through(0, request, () => this.forward(req, body));
    } catch (error) {
      // The real server is gone (shutdown): answer like a dead endpoint.
      res.writeHead(502, { 'content-type': 'text/plain' }).end(`proxy: ${(error as Error).message}`);
      return;
    }
    if (fault?.action === 'after') return this.answerError(res, fault);
    const headers = { ...answer.headers };
    delete headers['transfer-encoding'];
    delete headers.connection;
    headers['content-length'] = String(answer.body.length);
    res.writeHead(answer.status, headers).end(answer.body);
  }

  /** Layer `index` and those after it, then the server. */
  private through(index: number, request: ProxiedRequest, upstream: () => Promise<ProxyAnswer>): Promise<ProxyAnswer> {
    const layer = this.options.layers?.[index];
    if (!layer) return upstream();
    return layer.handle(request, () => this.through(index + 1, request, upstream));
  }

  private answerError(res: ServerResponse, fault: ProxyFault): void {
    const answer = errorAnswer(this.options.protocol, fault);
    res.writeHead(answer.status, { ...answer.headers, 'content-length': String(Buffer.byteLength(answer.body)) }).end(answer.body);
  }

  private forward(req: IncomingMessage, body: Buffer): Promise<ProxyAnswer> {
    const target = this.target;
    const headers = { ...req.headers, host: target.host, 'content-length': String(body.length) };
    delete headers.connection;
    return new Promise((resolve, reject) => {
      const upstream = httpRequest(
        { hostname: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent: this.agent },
        (response) => {
          const parts: Buffer[] = [];
          response.on('data', (c: Buffer) => parts.push(c));
          response.on('end', () => resolve({ status: response.statusCode ?? 502, headers: response.headers, body: Buffer.concat(parts) }));
          response.on('error', reject);
        },
      );
      upstream.on('error', reject);
      upstream.end(body);
    });
  }
}
