/**
 * EventBridge emulator: an HTTP server speaking the AWS JSON 1.1 protocol for `AWSEvents.PutEvents`
 * (what `@aws-sdk/client-eventbridge` sends). Each accepted entry becomes a full EventBridge event
 * (version, id, detail-type, source, account, time, region, resources, detail) and is routed through the
 * template's `AWS::Events::Rule`s of its bus to their targets, before the response is written.
 *
 * Targets: SQS queues (SendMessage of the event JSON, or of `Input` / `InputPath` when present) and
 * Lambda functions (asynchronous invoke). `InputTransformer` and other target types fail loudly when
 * the rules are loaded. Scheduled rules are run by `scheduler.ts`, not here.
 *
 * A delivery that still fails after the retries (3 quick attempts; client errors such as SQS refusing
 * the message are not retried, as in AWS) goes to the target's `DeadLetterConfig` queue as AWS sends it:
 * the event as the body, with the `RULE_ARN`, `TARGET_ARN`, `ERROR_CODE`, `ERROR_MESSAGE`,
 * `EXHAUSTED_RETRY_CONDITION` and `RETRY_ATTEMPTS` message attributes. Every failure is also reported
 * (`onError`, {@link EventBridgeEmulator.onDeliveryFailure}), and one that could not be dead-lettered
 * says the event is lost.
 *
 * Malformed requests (bad JSON or UTF-8, wrong member types, oversized bodies, aborted connections) get
 * an AWS JSON error and never take the server down (see `http-server.ts`).
 *
 * Fault injection: {@link EventBridgeEmulator.setFaultInjector} decides per entry to fail it with an
 * error code, as a throttled or failing PutEvents would, for chaos tests.
 *
 * @example
 * const bus = await EventBridgeEmulator.start({ rules: loadRules(assembly, resolver), buses: ['default'], targets });
 * new EventBridgeClient({ endpoint: bus.endpoint });
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LOCAL_ACCOUNT, LOCAL_REGION, type CloudAssembly, type Resolver } from './assembly.js';
import { compileEventPattern, type EventMatcher } from './event-pattern.js';
import { startLocalHttpServer, type ErrorReply, type LocalHttpServer } from './http-server.js';
import { readBody, RequestBodyError } from './net.js';

export interface LocalRuleTarget {
  readonly id: string;
  readonly arn: string;
  readonly input?: string;
  readonly inputPath?: string;
  readonly messageGroupId?: string;
  readonly deadLetterArn?: string;
}

export interface LocalRule {
  readonly key: string;
  readonly name: string;
  /** `arn:aws:events:<region>:<account>:rule/[<bus>/]<name>`, as in the DLQ message's `RULE_ARN`. */
  readonly arn: string;
  readonly busName: string;
  readonly match: EventMatcher;
  readonly targets: readonly LocalRuleTarget[];
}

/** The event as EventBridge delivers it to targets. */
export interface BusEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
}

export interface PutEventsEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
  Resources?: string[];
  Time?: number | string;
  TraceHeader?: string;
}

export type EntryFault = { ErrorCode: string; ErrorMessage: string } | undefined;
export type FaultInjector = (entry: PutEventsEntry, index: number) => EntryFault;

/** A rule delivery that failed after its retries. */
export interface DeliveryFailure {
  readonly ruleArn: string;
  readonly targetId: string;
  readonly targetArn: string;
  readonly event: BusEvent;
  /** As in AWS's DLQ attribute `ERROR_CODE` (`SDK_CLIENT_ERROR`, `NO_RESOURCE`, `CONNECTION_FAILURE`...). */
  readonly errorCode: string;
  readonly errorMessage: string;
  readonly attempts: number;
  /** The DLQ the event went to; undefined when the target has none or sending to it failed too. */
  readonly deadLetterArn?: string;
  /** Why the event could not be dead-lettered, when the target has a DLQ. */
  readonly deadLetterError?: string;
}

export interface RuleTargets {
  /** Sends `body` to the queue with ARN `arn` (string message attributes optional). */
  sqs(arn: string, body: string, options: { messageGroupId?: string; attributes?: Record<string, string> }): Promise<void>;
  /** Invokes the function with ARN `arn` asynchronously. */
  lambda?(arn: string, payload: unknown): Promise<void>;
}

export interface EventBridgeEmulatorOptions {
  readonly port?: number;
  readonly rules: readonly LocalRule[];
  /** Names of the buses that exist; `default` always does. */
  readonly buses: readonly string[];
  readonly targets: RuleTargets;
  /** Called on delivery errors. Default: printed to stderr. */
  readonly onError?: (message: string) => void;
}

const MAX_ENTRIES = 10;
const MAX_SIZE = 256 * 1024;
/** A request body beyond this cannot hold 256 KB of entries, even with every character escaped. */
const MAX_REQUEST_BYTES = 2 * 1024 * 1024;
const DELIVERY_ATTEMPTS = 3;
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Reads the assembly's rules; throws on what the emulator cannot honour. */
export function loadRules(assembly: CloudAssembly, resolver: Resolver): LocalRule[] {
  const rules: LocalRule[] = [];
  for (const ref of assembly.resources('AWS::Events::Rule')) {
    const props = resolver.properties(ref) as {
      EventBusName?: string;
      EventPattern?: unknown;
      ScheduleExpression?: string;
      State?: string;
      Targets?: Array<Record<string, unknown>>;
    };
    if (props.State && props.State !== 'ENABLED') continue;
    if (!props.EventPattern) continue; // a scheduled rule: scheduler.ts runs it
    const name = resolver.physicalName(ref);
    const targets: LocalRuleTarget[] = (props.Targets ?? []).map((target) => {
      const id = String(target.Id);
      const arn = String(target.Arn);
      const where = `${ref.key} target ${id}`;
      if (target.InputTransformer) throw new Error(`${where}: InputTransformer is not supported by the local EventBridge`);
      if (target.Input !== undefined && target.InputPath !== undefined) throw new Error(`${where}: Input and InputPath are exclusive`);
      const service = arn.split(':')[2];
      if (service !== 'sqs' && service !== 'lambda') throw new Error(`${where}: target ${arn} is not an SQS queue or a Lambda function; not supported locally`);
      const inputPath = target.InputPath as string | undefined;
      if (inputPath !== undefined) jsonPath(inputPath, where); // validates
      return {
        id,
        arn,
        input: target.Input as string | undefined,
        inputPath,
        messageGroupId: (target.SqsParameters as { MessageGroupId?: string } | undefined)?.MessageGroupId,
        deadLetterArn: (target.DeadLetterConfig as { Arn?: string } | undefined)?.Arn,
      };
    });
    const busName = busNameOf(props.EventBusName);
    const arn = `arn:aws:events:${LOCAL_REGION}:${LOCAL_ACCOUNT}:rule/${busName === 'default' ? '' : `${busName}/`}${name}`;
    rules.push({ key: ref.key, name, arn, busName, match: compileEventPattern(props.EventPattern, `rule ${ref.key}`), targets });
  }
  return rules;
}

/** Names of the assembly's buses (plus `default`). */
export function loadBuses(assembly: CloudAssembly, resolver: Resolver): string[] {
  return ['default', ...assembly.resources('AWS::Events::EventBus').map((ref) => resolver.physicalName(ref))];
}

function busNameOf(nameOrArn: string | undefined): string {
  if (!nameOrArn) return 'default';
  const m = /^arn:[^:]+:events:[^:]*:[^:]*:event-bus\/(.+)$/.exec(nameOrArn);
  return m ? m[1]! : nameOrArn;
}

/** A `$.a.b[0]` path as a getter. */
function jsonPath(path: string, where: string): (value: unknown) => unknown {
  if (!path.startsWith('$')) throw new Error(`${where}: InputPath ${path} must start with $`);
  const steps: Array<string | number> = [];
  const re = /\.([A-Za-z0-9_-]+)|\[(\d+)\]|\['([^']+)'\]/gy;
  re.lastIndex = 1;
  while (re.lastIndex < path.length) {
    const m = re.exec(path);
    if (!m) throw new Error(`${where}: InputPath ${path} is not supported (only $.a.b[0] paths)`);
    steps.push(m[1] ?? (m[2] !== undefined ? Number(m[2]) : m[3]!));
  }
  return (value) => steps.reduce<unknown>((acc, step) => (acc == null ? undefined : (acc as Record<string | number, unknown>)[step]), value);
}

function utf8(text: string | undefined): number {
  return text ? Buffer.byteLength(text, 'utf8') : 0;
}

function entrySize(entry: PutEventsEntry): number {
  return (entry.Time !== undefined ? 14 : 0) + utf8(entry.Source) + utf8(entry.DetailType) + utf8(entry.Detail) + (entry.Resources ?? []).reduce((n, r) => n + utf8(r), 0);
}

function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** An AWS JSON 1.1 error answer. */
function awsJsonError(type: string, message: string): ErrorReply {
  return {
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID(), 'x-amzn-errortype': type },
    body: JSON.stringify({ __type: type, message }),
  };
}

export class EventBridgeEmulator {
  private rules: readonly LocalRule[];
  private buses: Set<string>;
  private faults?: FaultInjector;
  private readonly listeners = new Set<(event: BusEvent, busName: string) => void>();
  private readonly failureListeners = new Set<(failure: DeliveryFailure) => void>();

  private constructor(
    private readonly http: LocalHttpServer,
    private readonly options: EventBridgeEmulatorOptions,
  ) {
    this.rules = options.rules;
    this.buses = new Set(['default', ...options.buses]);
  }

  get port(): number {
    return this.http.port;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  static async start(options: EventBridgeEmulatorOptions): Promise<EventBridgeEmulator> {
    let emulator: EventBridgeEmulator | undefined;
    const http = await startLocalHttpServer({
      port: options.port,
      owner: 'local EventBridge',
      handle: (req, res) => emulator!.handle(req, res),
      errorReply: (status, message) => awsJsonError(status >= 500 ? 'InternalException' : 'SerializationException', message),
      log: (m) => emulator?.report(m),
    });
    emulator = new EventBridgeEmulator(http, options);
    return emulator;
  }

  private report(message: string): void {
    (this.options.onError ?? ((m: string) => process.stderr.write(`[local eventbridge] ${m}\n`)))(message);
  }

  /** Replaces rules and buses (used by reload). */
  update(rules: readonly LocalRule[], buses: readonly string[]): void {
    this.rules = rules;
    this.buses = new Set(['default', ...buses]);
  }

  /** Installs (or, with undefined, removes) a function deciding to fail an entry. */
  setFaultInjector(injector: FaultInjector | undefined): void {
    this.faults = injector;
  }

  /** Observes every accepted event (for tests and tracing); returns an unsubscribe function. */
  subscribe(listener: (event: BusEvent, busName: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Observes every rule delivery that failed after its retries; returns an unsubscribe function. */
  onDeliveryFailure(listener: (failure: DeliveryFailure) => void): () => void {
    this.failureListeners.add(listener);
    return () => this.failureListeners.delete(listener);
  }

  stop(): Promise<void> {
    return this.http.stop();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const error = (status: number, type: string, message: string, extra: Record<string, string> = {}) => {
      const reply = awsJsonError(type, message);
      res.writeHead(status, { ...reply.headers, ...extra }).end(reply.body);
    };
    let raw: Buffer;
    try {
      raw = await readBody(req, MAX_REQUEST_BYTES);
    } catch (err) {
      if (!(err instanceof RequestBodyError)) throw err;
      if (err.reason === 'too-large') error(413, 'RequestEntityTooLargeException', `Request body must not exceed ${MAX_REQUEST_BYTES} bytes`, { connection: 'close' });
      else res.destroy();
      return;
    }
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() }).end(JSON.stringify(body));
    };
    const target = String(req.headers['x-amz-target'] ?? '');
    if (req.method !== 'POST') return error(400, 'UnknownOperationException', 'Only POST is supported');
    if (target !== 'AWSEvents.PutEvents') return error(400, 'UnknownOperationException', `Operation ${target || '(none)'} is not supported by the local EventBridge`);
    let body: unknown;
    try {
      body = JSON.parse(STRICT_UTF8.decode(raw) || '{}');
    } catch {
      return error(400, 'SerializationException', 'Request body is not valid UTF-8 JSON');
    }
    const entries = isRecord(body) ? body.Entries : undefined;
    const malformed = Array.isArray(entries) ? entries.findIndex((entry) => malformedEntry(entry) !== undefined) : -1;
    if (malformed >= 0) return error(400, 'SerializationException', `Entries[${malformed}]: ${malformedEntry((entries as unknown[])[malformed])}`);
    if (!Array.isArray(entries) || entries.length < 1 || entries.length > MAX_ENTRIES) {
      return error(400, 'ValidationException', `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to ${MAX_ENTRIES} and greater than or equal to 1`);
    }
    if ((entries as PutEventsEntry[]).reduce((n, e) => n + entrySize(e), 0) > MAX_SIZE) {
      return error(400, 'ValidationException', 'Total size of the entries in the request is over the limit.');
    }
    const results = [];
    for (const [index, entry] of (entries as PutEventsEntry[]).entries()) results.push(await this.put(entry, index));
    reply(200, { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results });
  }

  private async put(entry: PutEventsEntry, index: number): Promise<{ EventId: string } | { ErrorCode: string; ErrorMessage: string }> {
    const fault = this.faults?.(entry, index);
    if (fault) return fault;
    if (!entry.Source) return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter Source is not valid. Reason: Source is a required argument.' };
    if (!entry.DetailType) return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter DetailType is not valid. Reason: DetailType is a required argument.' };
    if (!entry.Detail) return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter Detail is not valid. Reason: Detail is a required argument.' };
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail);
    } catch {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    if (entrySize(entry) > MAX_SIZE) return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Entry size is over the limit.' };
    const busName = busNameOf(entry.EventBusName);
    if (!this.buses.has(busName)) return { ErrorCode: 'ResourceNotFoundException', ErrorMessage: `Event bus ${busName} does not exist.` };
    const time = entry.Time === undefined ? new Date() : new Date(typeof entry.Time === 'number' ? entry.Time * 1000 : entry.Time);
    const event: BusEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': entry.DetailType,
      source: entry.Source,
      account: LOCAL_ACCOUNT,
      time: isoSeconds(Number.isNaN(time.getTime()) ? new Date() : time),
      region: LOCAL_REGION,
      resources: entry.Resources ?? [],
      detail,
    };
    for (const listener of this.listeners) listener(event, busName);
    await Promise.all(this.rules.filter((rule) => rule.busName === busName && rule.match(event)).map((rule) => this.deliver(rule, event)));
    return { EventId: event.id };
  }

  private async deliver(rule: LocalRule, event: BusEvent): Promise<void> {
    await Promise.all(
      rule.targets.map(async (target) => {
        const payload = target.input !== undefined ? target.input : target.inputPath !== undefined ? JSON.stringify(jsonPath(target.inputPath, rule.key)(event) ?? null) : JSON.stringify(event);
        const send = () =>
          target.arn.split(':')[2] === 'lambda'
            ? (this.options.targets.lambda?.(target.arn, JSON.parse(payload)) ?? Promise.reject(new Error('no Lambda target handler')))
            : this.options.targets.sqs(target.arn, payload, { messageGroupId: target.messageGroupId });
        const outcome = await retry(send, DELIVERY_ATTEMPTS);
        if (outcome.ok) return;
        await this.deadLetter(rule, target, event, outcome.error, outcome.attempts);
      }),
    );
  }

  /** AWS's DLQ record for a failed target: the event, and why, in message attributes. */
  private async deadLetter(rule: LocalRule, target: LocalRuleTarget, event: BusEvent, error: unknown, attempts: number): Promise<void> {
    const errorCode = deliveryErrorCode(error);
    const errorMessage = error instanceof Error ? error.message : String(error);
    let deadLetterError: string | undefined;
    if (target.deadLetterArn) {
      const attributes = {
        RULE_ARN: rule.arn,
        TARGET_ARN: target.arn,
        ERROR_CODE: errorCode,
        ERROR_MESSAGE: errorMessage.slice(0, 1024) || errorCode,
        EXHAUSTED_RETRY_CONDITION: 'MaximumRetryAttempts',
        RETRY_ATTEMPTS: String(attempts - 1),
      };
      deadLetterError = await this.options.targets.sqs(target.deadLetterArn, JSON.stringify(event), { attributes }).then(
        () => undefined,
        (err: unknown) => (err instanceof Error ? err.message : String(err)),
      );
    }
    const deadLettered = target.deadLetterArn !== undefined && deadLetterError === undefined;
    const where = `rule ${rule.key} target ${target.id} (${target.arn}): event ${event.id} (${event['detail-type']}) not delivered after ${attempts} attempt(s): ${errorCode}: ${errorMessage}`;
    this.report(
      deadLettered
        ? `${where}; sent to the target's dead-letter queue ${target.deadLetterArn}`
        : target.deadLetterArn
          ? `${where}; sending it to the dead-letter queue ${target.deadLetterArn} failed too (${deadLetterError}): THE EVENT IS LOST`
          : `${where}; the target has no dead-letter queue (DeadLetterConfig): THE EVENT IS LOST`,
    );
    const failure: DeliveryFailure = {
      ruleArn: rule.arn,
      targetId: target.id,
      targetArn: target.arn,
      event,
      errorCode,
      errorMessage,
      attempts,
      deadLetterArn: deadLettered ? target.deadLetterArn : undefined,
      deadLetterError,
    };
    for (const listener of this.failureListeners) listener(failure);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What is wrong with the shape of a PutEvents entry (what AWS's deserializer refuses), if anything. */
function malformedEntry(entry: unknown): string | undefined {
  if (!isRecord(entry)) return 'must be an object';
  for (const member of ['Source', 'DetailType', 'Detail', 'EventBusName', 'TraceHeader'] as const) {
    if (entry[member] !== undefined && typeof entry[member] !== 'string') return `${member} must be a string`;
  }
  if (entry.Resources !== undefined && (!Array.isArray(entry.Resources) || !entry.Resources.every((r) => typeof r === 'string'))) return 'Resources must be a list of strings';
  if (entry.Time !== undefined && typeof entry.Time !== 'number' && typeof entry.Time !== 'string') return 'Time must be a timestamp';
  return undefined;
}

/** AWS's DLQ `ERROR_CODE` for a failed SQS/Lambda call. */
function deliveryErrorCode(error: unknown): string {
  const err = error as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  const name = err?.name ?? '';
  if (/NonExistentQueue|QueueDoesNotExist|ResourceNotFound/.test(name) || /no local queue/.test(String((error as Error)?.message))) return 'NO_RESOURCE';
  if (/Throttl|RequestThrottled|OverLimit/.test(name)) return 'THROTTLING';
  if (/ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT/.test(err?.code ?? name)) return 'CONNECTION_FAILURE';
  const status = err?.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 400 && status < 500) return 'SDK_CLIENT_ERROR';
  return 'UNKNOWN';
}

/** Client errors (the target refused this request) are not retried: AWS sends those to the DLQ at once. */
function retryable(error: unknown): boolean {
  const code = deliveryErrorCode(error);
  return code === 'THROTTLING' || code === 'CONNECTION_FAILURE' || code === 'UNKNOWN';
}

async function retry(action: () => Promise<unknown>, attempts: number): Promise<{ ok: true } | { ok: false; error: unknown; attempts: number }> {
  for (let i = 1; ; i++) {
    try {
      await action();
      return { ok: true };
    } catch (error) {
      if (i >= attempts || !retryable(error)) return { ok: false, error, attempts: i };
      await new Promise((resolve) => setTimeout(resolve, 50 * i));
    }
  }
}
