/**
 * The fault plan of a chaos run, seeded: one object that hands the offline runtime its hooks and
 * counts every fault it injected, by kind.
 *
 * - **SQS delivery** (poller level, every consumer and deferred-calls queue): each received message
 *   is delivered 1-3 times; batches are shuffled, split and delayed; now and then a message from an
 *   EARLIER batch is delivered again (a stale duplicate); messages an invocation failed on come back
 *   after 1/60 of the queue's visibility timeout instead of minutes (time compression).
 * - **Crashes** of SQS/stream-triggered invocations: `crash-mid` kills the sandbox part-way through
 *   the batch, `crash-after` loses the result of a finished one; the mapping retries either.
 * - **AWS calls of the functions** through {@link ServiceProxy}s in front of DynamoDB Local, the SQS
 *   server and the EventBridge emulator: throttling/5xx answers, reset connections, and responses
 *   lost after the request was executed.
 * - **PutEvents partial failures**: some entries failed in an otherwise 200 answer (emulator injector).
 * - **API faults seen by clients** (proxies in front of the API servers): 429/503 before the
 *   request, reset connections, 502 after the request was executed (lost answer).
 *
 * The decision sequence is seeded; which request meets which decision depends on timing, as any
 * concurrent run does.
 */
import type { FaultInjector } from '../eventbridge.js';
import type { FunctionDefinition, InvocationFault } from '../lambda-runner.js';
import type { SqsDelivery, SqsDeliveryHooks, SqsRecord } from '../sqs-poller.js';
import { ServiceProxy, type ProxiedRequest, type ProxyFault, type ProxyProtocol } from '../service-proxy.js';
import { Random } from './random.js';

export interface ChaosRates {
  /** Share of the functions' DynamoDB/SQS/EventBridge requests that fail. Default 0.05. */
  readonly awsCall: number;
  /** Share of PutEvents entries failed inside a 200 answer. Default 0.05. */
  readonly putEventsEntry: number;
  /** Share of SQS/stream invocations that crash. Default 0.05. */
  readonly crash: number;
  /** Share of client API requests that fail. Default 0.03. */
  readonly api: number;
  /** Weights of 1, 2 and 3 deliveries of each SQS message. Default [0.55, 0.3, 0.15]. */
  readonly deliveries: readonly [number, number, number];
  /** Share of received batches that also carry a copy of a message from an earlier batch. Default 0.1. */
  readonly staleRedelivery: number;
  /** Include lost-response faults (request executed, answer replaced by an error). Default true. */
  readonly lostResponses: boolean;
}

export const DEFAULT_RATES: ChaosRates = {
  awsCall: 0.05,
  putEventsEntry: 0.05,
  crash: 0.05,
  api: 0.03,
  deliveries: [0.55, 0.3, 0.15],
  staleRedelivery: 0.1,
  lostResponses: true,
};

export interface ChaosProxies {
  /** Endpoints for the functions (`AWS_ENDPOINT_URL_*`). */
  readonly endpoints: { dynamodb: string; sqs: string; eventbridge: string };
  stop(): Promise<void>;
}

const HISTORY = 64;

const w = (fault: ProxyFault, weight: number): readonly [ProxyFault, number] => [fault, weight];

export class Chaos {
  readonly rates: ChaosRates;
  private readonly counts = new Map<string, number>();
  private readonly rng: Record<'aws' | 'entries' | 'crash' | 'api' | 'sqs', Random>;
  private readonly history = new Map<string, SqsRecord[]>();
  private enabled = true;

  constructor(
    readonly seed: number,
    rates: Partial<ChaosRates> = {},
  ) {
    this.rates = { ...DEFAULT_RATES, ...rates };
    const root = new Random(seed);
    this.rng = { aws: root.fork('aws'), entries: root.fork('entries'), crash: root.fork('crash'), api: root.fork('api'), sqs: root.fork('sqs') };
  }

  /** Stops injecting (deliveries go on unshuffled, single and undelayed); used to let a run settle if asked. */
  setEnabled(on: boolean): void {
    this.enabled = on;
  }

  count(kind: string, n = 1): void {
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + n);
  }

  /** Faults injected so far, by kind, sorted. */
  faults(): Record<string, number> {
    return Object.fromEntries([...this.counts.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }

  total(prefix = ''): number {
    return [...this.counts.entries()].filter(([k]) => k.startsWith(prefix)).reduce((n, [, v]) => n + v, 0);
  }

  // ---- AWS calls of the functions --------------------------------------------------------------

  /** Starts the proxies in front of the real services; their endpoints go to the functions. */
  async startProxies(services: { dynamodb: string; sqs: string; eventbridge: string }): Promise<ChaosProxies> {
    const started = await Promise.all(
      (['dynamodb', 'sqs', 'eventbridge'] as const).map((protocol) =>
        ServiceProxy.start({
          protocol,
          target: services[protocol],
          decide: (request) => this.awsFault(request),
          // Lost answers name the operation: what a retry of it does depends on it.
          onFault: (fault, request) => this.count(fault.action === 'after' ? `${fault.kind}:${request.operation}` : fault.kind),
        }),
      ),
    );
    const [dynamodb, sqs, eventbridge] = started as [ServiceProxy, ServiceProxy, ServiceProxy];
    return {
      endpoints: { dynamodb: dynamodb.endpoint, sqs: sqs.endpoint, eventbridge: eventbridge.endpoint },
      stop: async () => {
        await Promise.all(started.map((p) => p.stop()));
      },
    };
  }

  /** A proxy for client API traffic in front of `target` (an API server's origin). */
  startApiProxy(target: string): Promise<ServiceProxy> {
    return ServiceProxy.start({ protocol: 'api', target, decide: (request) => this.apiFault(request), onFault: (fault) => this.count(fault.kind) });
  }

  private awsFault(request: ProxiedRequest): ProxyFault | undefined {
    const rng = this.rng.aws;
    if (!this.enabled || !rng.chance(this.rates.awsCall)) return undefined;
    const p = request.protocol;
    const lost = this.rates.lostResponses && mutates(p, request.operation) ? 1 : 0;
    const choices: Array<readonly [ProxyFault, number]> = {
      dynamodb: [
        w({ kind: 'dynamodb:ThrottlingException', action: 'reply', status: 400, code: 'ThrottlingException', message: 'Rate of requests exceeds the allowed throughput.' }, 3),
        w({ kind: 'dynamodb:ProvisionedThroughputExceeded', action: 'reply', status: 400, code: 'ProvisionedThroughputExceededException', message: 'The level of configured provisioned throughput for the table was exceeded.' }, 2),
        w({ kind: 'dynamodb:500', action: 'reply', status: 500, code: 'InternalServerError', message: 'Internal server error' }, 2),
        w({ kind: 'dynamodb:connection-reset', action: 'reset' }, 1),
        w({ kind: 'dynamodb:lost-response', action: 'after', status: 500, code: 'InternalServerError', message: 'Internal server error (the request may have succeeded)' }, lost),
      ],
      sqs: [
        w({ kind: 'sqs:RequestThrottled', action: 'reply', status: 400, code: 'RequestThrottled', message: 'Request is throttled.' }, 3),
        w({ kind: 'sqs:500', action: 'reply', status: 500, code: 'InternalError', message: 'We encountered an internal error. Please try again.' }, 2),
        w({ kind: 'sqs:503', action: 'reply', status: 503, code: 'ServiceUnavailable', message: 'Service unavailable.' }, 1),
        w({ kind: 'sqs:connection-reset', action: 'reset' }, 1),
        w({ kind: 'sqs:lost-response', action: 'after', status: 500, code: 'InternalError', message: 'We encountered an internal error. Please try again.' }, lost),
      ],
      eventbridge: [
        w({ kind: 'eventbridge:ThrottlingException', action: 'reply', status: 400, code: 'ThrottlingException', message: 'Rate exceeded' }, 3),
        w({ kind: 'eventbridge:500', action: 'reply', status: 500, code: 'InternalException', message: 'Internal service error' }, 2),
        w({ kind: 'eventbridge:connection-reset', action: 'reset' }, 1),
        w({ kind: 'eventbridge:lost-response', action: 'after', status: 500, code: 'InternalException', message: 'Internal service error' }, lost),
      ],
      api: [],
    }[p];
    return rng.weighted(choices.filter(([, weight]) => weight > 0));
  }

  private apiFault(_request: ProxiedRequest): ProxyFault | undefined {
    const rng = this.rng.api;
    if (!this.enabled || !rng.chance(this.rates.api)) return undefined;
    return rng.weighted([
      w({ kind: 'api:429-before', action: 'reply', status: 429, code: 'TooManyRequestsException', message: 'Too Many Requests' }, 2),
      w({ kind: 'api:503-before', action: 'reply', status: 503, code: 'ServiceUnavailableException', message: 'Service Unavailable' }, 2),
      w({ kind: 'api:reset-before', action: 'reset' }, 1),
      w({ kind: 'api:502-after (answer lost)', action: 'after', status: 502, code: 'InternalServerErrorException', message: 'Internal server error' }, this.rates.lostResponses ? 3 : 0),
    ].filter(([, weight]) => weight > 0));
  }

  // ---- EventBridge PutEvents partial failures -------------------------------------------------

  readonly putEventsFault: FaultInjector = () => {
    if (!this.enabled || !this.rng.entries.chance(this.rates.putEventsEntry)) return undefined;
    const fault = this.rng.entries.weighted([
      [{ ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded (injected)' }, 2],
      [{ ErrorCode: 'InternalFailure', ErrorMessage: 'Internal failure (injected)' }, 1],
    ] as const);
    this.count(`eventbridge:failed-entry:${fault.ErrorCode}`);
    return { ...fault };
  };

  // ---- crashes --------------------------------------------------------------------------------

  readonly invocationFault = (fn: FunctionDefinition, event: unknown): InvocationFault | undefined => {
    const records = (event as { Records?: Array<{ eventSource?: string }> } | null)?.Records;
    if (!this.enabled || !Array.isArray(records) || !records.length) return undefined;
    const rng = this.rng.crash;
    if (!rng.chance(this.rates.crash)) return undefined;
    const source = records[0]?.eventSource === 'aws:dynamodb' ? 'stream' : 'sqs';
    const mid = rng.chance(0.6);
    // Counted when it happens: a crash planned 40 ms in does not happen to a 10 ms invocation.
    const onCrash = () => this.count(`lambda:${mid ? 'crash-mid' : 'crash-after'}:${source}:${functionRole(fn.key)}`);
    return mid ? { kind: 'crash-mid', afterMs: rng.int(2, 60), onCrash } : { kind: 'crash-after', onCrash };
  };

  // ---- SQS deliveries -------------------------------------------------------------------------

  readonly sqsDelivery: SqsDeliveryHooks = {
    // Time compression: a failed message comes back after 1/60 of its queue's visibility timeout
    // (consumers 180 s -> 3 s, deferred calls 300 s -> 5 s), so maxReceiveCount still spans a while.
    retryVisibilitySeconds: (queueVisibility) => Math.max(1, Math.ceil(queueVisibility / 60)),
    plan: (key: string, records: SqsRecord[]): SqsDelivery[] => {
      if (!this.enabled) return [{ records }];
      const rng = this.rng.sqs;
      const shuffled = rng.shuffle(records);
      if (records.length > 1 && shuffled.some((r, i) => r !== records[i])) this.count('sqs-delivery:shuffled-batch');
      const parts = Math.min(shuffled.length, rng.weighted([[1, 3], [2, 2], [3, 1]] as const));
      if (parts > 1) this.count('sqs-delivery:split-batch');
      const deliveries: Array<{ records: SqsRecord[]; delayMs: number }> = [];
      for (let i = 0; i < parts; i++) deliveries.push({ records: [], delayMs: 0 });
      for (const [i, r] of shuffled.entries()) deliveries[i % parts]!.records.push(r);
      for (const d of deliveries) {
        if (rng.chance(0.3)) {
          d.delayMs = rng.int(20, 400);
          this.count('sqs-delivery:delayed');
        }
      }
      // Extra copies: each message delivered 1..3 times in all.
      const [w1, w2, w3] = this.rates.deliveries;
      for (const r of shuffled) {
        const copies = rng.weighted([[1, w1], [2, w2], [3, w3]] as const);
        for (let c = 1; c < copies; c++) {
          this.count('sqs-delivery:duplicate');
          if (rng.chance(0.5)) deliveries[rng.int(0, deliveries.length - 1)]!.records.push(r);
          else deliveries.push({ records: [r], delayMs: rng.int(0, 800) });
        }
      }
      // A stale duplicate: a message from an earlier batch shows up again among newer ones.
      const seen = this.history.get(key) ?? [];
      if (seen.length && rng.chance(this.rates.staleRedelivery)) {
        const old = rng.pick(seen);
        deliveries[rng.int(0, deliveries.length - 1)]!.records.push(old);
        this.count('sqs-delivery:stale-duplicate');
      }
      seen.push(...records);
      if (seen.length > HISTORY) seen.splice(0, seen.length - HISTORY);
      this.history.set(key, seen);
      return deliveries.map((d) => ({ records: rng.shuffle(d.records), delayMs: d.delayMs }));
    },
  };
}

/** Whether a request changes state (a lost answer then means "done, but the caller does not know"). */
function mutates(protocol: ProxyProtocol, operation: string): boolean {
  if (protocol === 'dynamodb') return /^(PutItem|UpdateItem|DeleteItem|TransactWriteItems|BatchWriteItem)$/.test(operation);
  if (protocol === 'sqs') return /^(SendMessage|SendMessageBatch|DeleteMessage|DeleteMessageBatch|ChangeMessageVisibility)/.test(operation);
  if (protocol === 'eventbridge') return operation === 'PutEvents';
  return false;
}

/** A short role name for a function key like `prod-HiringEvents-Services/BonusFromHiringFunction1234` (or its physical name). */
export function functionRole(key: string): string {
  const id = key.split('/').pop() ?? key;
  for (const [re, name] of [
    [/Publisher/, 'outbox-publisher'],
    [/Scheduler/, 'calls-scheduler'],
    [/Deliverer/, 'calls-deliverer'],
    [/BonusFrom/, 'bonus-consumer'],
    [/HiringFrom/, 'hiring-consumer'],
    [/TasksFrom/, 'tasks-consumer'],
    [/HiringHttp/, 'hiring-api'],
    [/TasksHttp/, 'tasks-api'],
    [/BonusHttp/, 'bonus-api'],
  ] as const) {
    if (re.test(id)) return name;
  }
  return id;
}
