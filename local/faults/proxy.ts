/**
 * A small fault-injecting HTTP proxy for chaos runs: put it in front of DynamoDB Local, the SQS
 * server, the EventBridge emulator or an API, and point the clients at {@link FaultProxy.endpoint}.
 * Each request is forwarded unchanged unless `decide` returns a fault; faults are answered the way
 * the real service answers (AWS JSON error shapes and status codes), so the AWS SDK treats them as
 * it would on AWS: throttling and 5xx are retried by the SDK (and, once its attempts are spent,
 * classified as transient by the handlers), a reset connection is a network error.
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

export interface FaultProxyOptions {
  readonly protocol: ProxyProtocol;
  /** The real server, e.g. `http://127.0.0.1:8000`. */
  readonly target: string;
  readonly decide: (request: ProxiedRequest) => ProxyFault | undefined;
  /** Called for each injected fault. */
  readonly onFault?: (fault: ProxyFault, request: ProxiedRequest) => void;
}

/** SQS's query-compatible error codes for the `x-amzn-query-error` header. */
const SQS_QUERY_CODES: Record<string, string> = {
  RequestThrottled: 'RequestThrottled;Sender',
  ThrottlingException: 'ThrottlingException;Sender',
  InternalError: 'InternalError;Receiver',
  ServiceUnavailable: 'ServiceUnavailable;Receiver',
};

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

export class FaultProxy {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });

  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly options: FaultProxyOptions,
  ) {}

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  static async start(options: FaultProxyOptions): Promise<FaultProxy> {
    const server = createServer();
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    const proxy = new FaultProxy(server, typeof address === 'object' && address ? address.port : 0, options);
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
    const fault = this.options.decide(request);
    if (fault) this.options.onFault?.(fault, request);

    if (fault?.action === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fault?.action === 'reply') return this.answerError(res, fault);
    let upstream: { status: number; headers: IncomingMessage['headers']; body: Buffer };
    try {
      upstream = await this.forward(req, body);
    } catch (error) {
      // The real server is gone (shutdown): answer like a dead endpoint.
      res.writeHead(502, { 'content-type': 'text/plain' }).end(`proxy: ${(error as Error).message}`);
      return;
    }
    if (fault?.action === 'after') return this.answerError(res, fault);
    const headers = { ...upstream.headers };
    delete headers['transfer-encoding'];
    delete headers.connection;
    headers['content-length'] = String(upstream.body.length);
    res.writeHead(upstream.status, headers).end(upstream.body);
  }

  private answerError(res: ServerResponse, fault: ProxyFault): void {
    const answer = errorAnswer(this.options.protocol, fault);
    res.writeHead(answer.status, { ...answer.headers, 'content-length': String(Buffer.byteLength(answer.body)) }).end(answer.body);
  }

  private forward(req: IncomingMessage, body: Buffer): Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }> {
    const target = new URL(this.options.target);
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
