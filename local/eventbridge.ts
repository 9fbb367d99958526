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
 * Fault injection: {@link EventBridgeEmulator.setFaultInjector} decides per entry to fail it with an
 * error code, as a throttled or failing PutEvents would, for chaos tests.
 *
 * @example
 * const bus = await EventBridgeEmulator.start({ rules: loadRules(assembly, resolver), buses: ['default'], targets });
 * new EventBridgeClient({ endpoint: bus.endpoint });
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { LOCAL_ACCOUNT, LOCAL_REGION, type CloudAssembly, type Resolver } from './assembly.js';
import { compileEventPattern, type EventMatcher } from './event-pattern.js';
import { assertPortFree, readBody } from './net.js';

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

export interface RuleTargets {
  /** Sends `body` to the queue with ARN `arn`. */
  sqs(arn: string, body: string, options: { messageGroupId?: string }): Promise<void>;
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
    rules.push({ key: ref.key, name, busName: busNameOf(props.EventBusName), match: compileEventPattern(props.EventPattern, `rule ${ref.key}`), targets });
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

export class EventBridgeEmulator {
  private rules: readonly LocalRule[];
  private buses: Set<string>;
  private faults?: FaultInjector;
  private readonly listeners = new Set<(event: BusEvent, busName: string) => void>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly options: EventBridgeEmulatorOptions,
  ) {
    this.rules = options.rules;
    this.buses = new Set(['default', ...options.buses]);
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  static async start(options: EventBridgeEmulatorOptions): Promise<EventBridgeEmulator> {
    if (options.port) await assertPortFree(options.port, 'local EventBridge');
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const emulator = new EventBridgeEmulator(server, port, options);
    server.on('request', (req, res) => void emulator.handle(req, res));
    return emulator;
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

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const reply = (status: number, body: unknown, errorType?: string) => {
      const headers: Record<string, string> = { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() };
      if (errorType) headers['x-amzn-errortype'] = errorType;
      res.writeHead(status, headers).end(JSON.stringify(body));
    };
    const error = (status: number, type: string, message: string) => reply(status, { __type: type, message }, type);
    const target = String(req.headers['x-amz-target'] ?? '');
    if (req.method !== 'POST') return error(400, 'UnknownOperationException', 'Only POST is supported');
    if (target !== 'AWSEvents.PutEvents') return error(400, 'UnknownOperationException', `Operation ${target || '(none)'} is not supported by the local EventBridge`);
    let body: { Entries?: PutEventsEntry[] };
    try {
      body = JSON.parse(raw.toString('utf8') || '{}');
    } catch {
      return error(400, 'SerializationException', 'Request body is not valid JSON');
    }
    const entries = body.Entries;
    if (!Array.isArray(entries) || entries.length < 1 || entries.length > MAX_ENTRIES) {
      return error(400, 'ValidationException', `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to ${MAX_ENTRIES} and greater than or equal to 1`);
    }
    if (entries.reduce((n, e) => n + entrySize(e), 0) > MAX_SIZE) {
      return error(400, 'ValidationException', 'Total size of the entries in the request is over the limit.');
    }
    try {
      const results = [];
      for (const [index, entry] of entries.entries()) results.push(await this.put(entry, index));
      reply(200, { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results });
    } catch (err) {
      error(500, 'InternalException', (err as Error).message);
    }
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
        try {
          await retry(send, 3);
        } catch (error) {
          const message = `rule ${rule.key} target ${target.id} (${target.arn}): delivery failed: ${(error as Error).message}`;
          if (target.deadLetterArn) {
            await this.options.targets.sqs(target.deadLetterArn, JSON.stringify(event), {}).catch(() => undefined);
          }
          (this.options.onError ?? ((m: string) => process.stderr.write(`[local eventbridge] ${m}\n`)))(message);
        }
      }),
    );
  }
}

async function retry<T>(action: () => Promise<T>, attempts: number): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await action();
    } catch (error) {
      if (i >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 * i));
    }
  }
}
