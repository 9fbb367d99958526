/**
 * The offline runtime: brings a synthesized CDK app (cdk.out) up on one machine with no AWS and no Docker.
 * DynamoDB Local (Java) holds the tables, fauxqs the queues, and this package emulates EventBridge rules,
 * Lambda functions, event source mappings and API Gateway REST APIs from the CloudFormation templates.
 *
 * @example
 * const runtime = await startLocalRuntime({ assemblyDir: 'cdk.out', dataDir: '.local/dynamodb' });
 * console.log(runtime.endpoints); // { HiringApi: 'http://127.0.0.1:4010/prod/', ... }
 * await runtime.reload('cdk.out'); // after a new synth: tables and queued messages are kept
 * await runtime.stop();
 */
import { rmSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { ApiServer, loadApis } from './apigateway.js';
import { type CfnProperties, CloudAssembly, constructId, Resolver, type ResourceRef } from './assembly.js';
import { TransactionConflicts } from './dynamodb-conflicts.js';
import { releaseDataDir, startDynamoDbLocal, type DynamoDbLocal } from './dynamodb-local.js';
import { createTables, type LocalTable } from './dynamodb-resources.js';
import { compileEventPattern } from './event-pattern.js';
import { EventBridgeEmulator, loadBuses, loadRules } from './eventbridge.js';
import { functionDefinitions, LambdaRunner, type FunctionDefinition, type LambdaRunnerOptions } from './lambda-runner.js';
import { assertPortFree } from './net.js';
import { loadSchedules, LocalScheduler } from './scheduler.js';
import { ServiceProxy } from './service-proxy.js';
import { SqsPoller, type SqsDeliveryHooks } from './sqs-poller.js';
import { startSqsServer, type SqsServer } from './sqs-server.js';
import { createQueues, type LocalQueue } from './sqs-resources.js';
import { StreamPoller } from './stream-poller.js';
import { bodyLabel, eventLabel, type TraceStep } from './trace.js';

export interface LocalRuntimeOptions {
  /** The cloud assembly folder (`cdk.out`). */
  readonly assemblyDir: string;
  /** Folder for DynamoDB Local's data: tables and items survive restarts. In memory when omitted. */
  readonly dataDir?: string;
  /** Deletes `dataDir` before starting. */
  readonly fresh?: boolean;
  /** Fixed ports (a taken port is a clear error). APIs by RestApi name or logical id; others get free ports. */
  readonly ports?: { dynamodb?: number; sqs?: number; eventbridge?: number; apis?: Record<string, number> };
  /**
   * Use already running servers instead of starting DynamoDB Local / fauxqs. The runtime takes its
   * queues and table streams as its own: two runtimes of the same app (same queue and table names) on
   * one server poll each other's queues, and a message received by one that stops is invisible until
   * its visibility timeout. Share servers only between assemblies with distinct names.
   */
  readonly services?: { dynamodbEndpoint?: string; sqsEndpoint?: string };
  /** Receives the runtime's own messages. Default: stderr. */
  readonly log?: (message: string) => void;
  /** Receives each line a function prints. Default: stdout prefixed with the function name. */
  readonly functionLog?: (functionName: string, line: string) => void;
  /**
   * Follows every message, to find where one went: events accepted on a bus, messages the runtime
   * sends to queues (rule targets, schedules, stream failures), and each SQS mapping's batches
   * (received, deleted, left on the queue). `formatTrace` (`local/trace.ts`) prints a step. Default: off.
   */
  readonly trace?: (step: TraceStep) => void;
  /**
   * DynamoDB's transaction conflicts for the functions (`local/dynamodb-conflicts.ts`): their DynamoDB
   * endpoint is a proxy that refuses a write to an item another in-flight transaction holds, as AWS
   * does and DynamoDB Local does not. Default true: the local run is as strict as AWS where money
   * depends on it. `false` hands the functions DynamoDB Local itself.
   */
  readonly transactionConflicts?: boolean;
  /**
   * Endpoints the FUNCTIONS get in `AWS_ENDPOINT_URL_*` instead of the ones they would get (e.g. a
   * fault-injecting proxy in front of them); called once the servers are up with those endpoints
   * (DynamoDB behind the conflict layer when it is on). The runtime's own pollers keep using the real
   * endpoints.
   */
  readonly functionEndpoints?: (services: LocalRuntime['services']) => Promise<Partial<LocalRuntime['services']>> | Partial<LocalRuntime['services']>;
  /** Chaos hook: crashes chosen invocations (see `InvocationFault`). */
  readonly invocationFault?: LambdaRunnerOptions['invocationFault'];
  /** Chaos hooks of every SQS event source mapping (duplicate/reorder/delay deliveries, faster retries). */
  readonly sqsDelivery?: SqsDeliveryHooks;
  /**
   * Scheduled rules and Scheduler schedules (`local/scheduler.ts`): how many real seconds one
   * scheduled minute lasts. Default: 60 (real time); `npm start` uses `LOCAL_SCHEDULE_SECONDS_PER_MINUTE`.
   */
  readonly schedules?: { readonly secondsPerMinute?: number };
}

/** What the runtime is doing right now (for waiting until a system is quiet). */
export interface RuntimeActivity {
  /**
   * Function invocations in flight, except those a schedule started (below): a time-compressed
   * redriver runs every second, so counting it would keep a system "busy" forever. What a scheduled
   * run does is visible anyway, in the queues it reads (in-flight messages) and writes.
   */
  readonly invocations: number;
  /** Invocations a schedule started (redrivers, the republisher), in flight. */
  readonly scheduledInvocations: number;
  /** Received SQS batches not settled yet, all mappings together. */
  readonly sqsBatches: number;
  /** Stream mappings that read records in their last round or are processing a batch. */
  readonly busyStreams: number;
}

export interface LocalRuntime {
  /** API base URLs (with the stage, ending in `/`) by RestApi name, logical id and `<stack>/<logicalId>`. */
  readonly endpoints: Record<string, string>;
  /** The local servers themselves (DynamoDB Local, the SQS server, the EventBridge emulator): for tools and tests. */
  readonly services: { readonly dynamodb: string; readonly sqs: string; readonly eventbridge: string };
  /** The endpoints the functions get (DynamoDB behind the conflict layer, unless it is off or `functionEndpoints` replaced it). */
  readonly functionServices: { readonly dynamodb: string; readonly sqs: string; readonly eventbridge: string };
  /** The transaction-conflict layer in front of DynamoDB (its counts), when on. */
  readonly transactionConflicts?: TransactionConflicts;
  readonly eventBridge: EventBridgeEmulator;
  /** The assembly currently applied. */
  assembly(): CloudAssembly;
  /** Invokes a function by `<stack>/<logicalId>`, logical id, name or ARN. */
  invoke(functionId: string, event: unknown): Promise<unknown>;
  /** Local URL of a queue by `<stack>/<logicalId>` or logical id. */
  queueUrl(id: string): string;
  /** Local name of a table by `<stack>/<logicalId>` or logical id. */
  tableName(id: string): string;
  /** Every queue of the assembly (name, URL, ARN, attributes as created, `RedrivePolicy` included). */
  queues(): LocalQueue[];
  /** In-flight work of functions and pollers. */
  activity(): RuntimeActivity;
  /** Applies a new synth: adds tables, queues, functions, rules, mappings and routes; keeps data and messages. */
  reload(assemblyDir?: string): Promise<void>;
  stop(): Promise<void>;
}

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

interface RunningPoller {
  readonly signature: string;
  stop(): Promise<void>;
  inFlight(): number;
  readonly kind: 'sqs' | 'stream';
}

export async function startLocalRuntime(options: LocalRuntimeOptions): Promise<LocalRuntime> {
  const log = options.log ?? ((m: string) => process.stderr.write(`[local] ${m}\n`));
  // Fail fast on a broken assembly before starting anything.
  let assembly = CloudAssembly.load(options.assemblyDir);
  let assemblyDir = options.assemblyDir;

  for (const [what, port] of Object.entries({ dynamodb: options.ports?.dynamodb, sqs: options.ports?.sqs, eventbridge: options.ports?.eventbridge })) {
    if (port) await assertPortFree(port, `local ${what}`);
  }
  for (const [api, port] of Object.entries(options.ports?.apis ?? {})) await assertPortFree(port, `API ${api}`);

  const owned: Array<() => Promise<void>> = [];
  const stopOwned = async () => {
    for (const stop of owned.splice(0).reverse()) await stop().catch(() => undefined);
  };
  try {
    let dynamodbEndpoint = options.services?.dynamodbEndpoint;
    if (!dynamodbEndpoint) {
      if (options.fresh && options.dataDir) {
        // Never delete files under a JVM that still has them open.
        await releaseDataDir(options.dataDir, log);
        rmSync(options.dataDir, { recursive: true, force: true });
      }
      const ddb: DynamoDbLocal = await startDynamoDbLocal({ port: options.ports?.dynamodb, dataDir: options.dataDir, log });
      owned.push(() => ddb.stop());
      dynamodbEndpoint = ddb.endpoint;
    }
    let sqsEndpoint = options.services?.sqsEndpoint;
    if (!sqsEndpoint) {
      const sqsServer: SqsServer = await startSqsServer({ port: options.ports?.sqs });
      owned.push(() => sqsServer.stop());
      sqsEndpoint = sqsServer.endpoint;
    }

    const clientConfig = { region: 'us-east-1', credentials: LOCAL_CREDENTIALS };
    const dynamodb = new DynamoDBClient({ ...clientConfig, endpoint: dynamodbEndpoint });
    const streams = new DynamoDBStreamsClient({ ...clientConfig, endpoint: dynamodbEndpoint });
    // The SQS pollers hold one connection per loop in a long poll (10 loops per consumer): above the
    // SDK's default 50 sockets a send or delete would queue behind the polls.
    const sqs = new SQSClient({ ...clientConfig, endpoint: sqsEndpoint, requestHandler: { httpAgent: { keepAlive: true, maxSockets: 1_000 } } });
    const stopClients = async () => {
      dynamodb.destroy();
      streams.destroy();
      sqs.destroy();
    };
    owned.push(stopClients);

    let queues = new Map<string, LocalQueue>();
    let tables = new Map<string, LocalTable>();
    const queueByArn = () => new Map([...queues.values()].map((q) => [q.arn, q]));
    const sendToQueue = async (arn: string, body: string, messageGroupId?: string, attributes?: Record<string, string>) => {
      const queue = queueByArn().get(arn);
      if (!queue) throw new Error(`no local queue with ARN ${arn}`);
      const MessageAttributes = attributes && Object.fromEntries(Object.entries(attributes).map(([name, value]) => [name, { DataType: 'String', StringValue: value }]));
      const { MessageId } = await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: body, MessageGroupId: messageGroupId, MessageAttributes }));
      options.trace?.({ kind: 'sent', queue: queue.name, messageId: MessageId ?? '?', event: bodyLabel(body) });
    };

    const runner = new LambdaRunner([], { log: options.functionLog, invocationFault: options.invocationFault });
    owned.push(() => runner.stop());
    const invokeByArn = (arn: string, event: unknown) => runner.invoke(arn, event);
    let scheduledInFlight = 0;

    const eventBridge = await EventBridgeEmulator.start({
      port: options.ports?.eventbridge,
      rules: [],
      buses: [],
      targets: {
        sqs: (arn, body, { messageGroupId, attributes }) => sendToQueue(arn, body, messageGroupId, attributes),
        lambda: async (arn, payload) => {
          // asynchronous invocation: accepted at once, errors are logged (no retries locally)
          void runner.invoke(arn, payload).catch((error: Error) => log(`async invoke of ${arn} failed: ${error.message}`));
        },
      },
      onError: log,
    });
    owned.push(() => eventBridge.stop());
    if (options.trace) eventBridge.subscribe((event, bus) => options.trace?.({ kind: 'put', bus, event: eventLabel(event) }));
    const scheduler = new LocalScheduler({
      secondsPerMinute: options.schedules?.secondsPerMinute,
      targets: {
        lambda: async (arn, event) => {
          scheduledInFlight += 1;
          try {
            return await invokeByArn(arn, event);
          } finally {
            scheduledInFlight -= 1;
          }
        },
        sqs: (arn, body) => sendToQueue(arn, body),
      },
      onError: log,
    });
    // Stopped before the functions and queues it uses (owned stops run in reverse).
    owned.push(() => scheduler.stop());
    const services = { dynamodb: dynamodbEndpoint, sqs: sqsEndpoint, eventbridge: eventBridge.endpoint };
    let transactionConflicts: TransactionConflicts | undefined;
    let functionsDynamodb = dynamodbEndpoint;
    if (options.transactionConflicts !== false) {
      const conflicts = new TransactionConflicts({ target: dynamodbEndpoint });
      const proxy = await ServiceProxy.start({ protocol: 'dynamodb', target: dynamodbEndpoint, layers: [conflicts] });
      // Stopped after the functions and pollers (owned stops in reverse order).
      owned.splice(owned.indexOf(stopClients), 0, async () => {
        await proxy.stop();
        conflicts.close();
      });
      transactionConflicts = conflicts;
      functionsDynamodb = proxy.endpoint;
    }
    const defaults = { ...services, dynamodb: functionsDynamodb };
    const forFunctions = { ...defaults, ...(options.functionEndpoints ? await options.functionEndpoints(defaults) : {}) };

    const pollers = new Map<string, RunningPoller>();
    owned.push(async () => {
      await Promise.all([...pollers.values()].map((p) => p.stop()));
      pollers.clear();
    });
    const apiServers = new Map<string, ApiServer>();
    owned.push(async () => {
      await Promise.all([...apiServers.values()].map((s) => s.stop()));
      apiServers.clear();
    });
    const endpoints: Record<string, string> = {};

    const apply = async (next: CloudAssembly) => {
      const resolver = new Resolver(next, { sqsEndpoint });
      tables = await createTables(next, resolver, dynamodb);
      queues = await createQueues(next, resolver, sqs);
      // APIs first: functions that call another service get its local URL in their environment.
      const apiOrigins = await applyApis(next, resolver);
      runner.update(functionDefinitions(next, resolver, { ...forFunctions, apiOrigins }).map((fn) => withSqsUrlsVia(fn, sqsEndpoint, forFunctions.sqs)));
      eventBridge.update(loadRules(next, resolver), loadBuses(next, resolver));
      await applyMappings(next, resolver);
      scheduler.update(loadSchedules(next, resolver, log));
      assembly = next;
    };

    const applyMappings = async (next: CloudAssembly, resolver: Resolver) => {
      const wanted = new Map<string, { ref: ResourceRef; props: CfnProperties }>();
      for (const ref of next.resources('AWS::Lambda::EventSourceMapping')) {
        const props = resolver.properties(ref);
        if (props.Enabled === false || props.Enabled === 'false') continue;
        wanted.set(ref.key, { ref, props });
      }
      for (const [key, poller] of pollers) {
        const next = wanted.get(key);
        if (!next || signatureOf(next.props) !== poller.signature) {
          await poller.stop();
          pollers.delete(key);
        }
      }
      for (const [key, { ref, props }] of wanted) {
        if (pollers.has(key)) continue;
        const fn = runner.definition(String(props.FunctionName));
        if (!fn) throw new Error(`${key}: FunctionName ${props.FunctionName} is not a function of the assembly`);
        const filters = ((props.FilterCriteria?.Filters ?? []) as Array<{ Pattern: string }>).map((f, i) => compileEventPattern(f.Pattern, `${key} filter ${i}`));
        const sourceArn = String(props.EventSourceArn);
        const service = sourceArn.split(':')[2];
        const reportBatchItemFailures = (props.FunctionResponseTypes ?? []).includes('ReportBatchItemFailures');
        const signature = signatureOf(props);
        if (service === 'sqs') {
          const queue = queueByArn().get(sourceArn);
          if (!queue) throw new Error(`${key}: EventSourceArn ${sourceArn} is not a queue of the assembly`);
          const poller = new SqsPoller({
            key,
            queueUrl: queue.url,
            queueArn: queue.arn,
            functionId: fn.key,
            batchSize: props.BatchSize,
            maxBatchingWindowSeconds: props.MaximumBatchingWindowInSeconds,
            reportBatchItemFailures,
            maxConcurrency: props.ScalingConfig?.MaximumConcurrency,
            filters,
            sqs,
            invoke: (id, event) => runner.invoke(id, event),
            onError: log,
            delivery: options.sqsDelivery,
            queueVisibilitySeconds: queue.attributes.VisibilityTimeout === undefined ? undefined : Number(queue.attributes.VisibilityTimeout),
            trace: options.trace,
          }).start();
          pollers.set(key, { signature, kind: 'sqs', stop: () => poller.stop(), inFlight: () => poller.inFlight });
        } else if (service === 'dynamodb') {
          const poller = await new StreamPoller({
            key,
            streamArn: sourceArn,
            functionId: fn.key,
            functionArn: fn.arn ?? fn.name,
            startingPosition: props.StartingPosition,
            batchSize: props.BatchSize,
            maxBatchingWindowSeconds: props.MaximumBatchingWindowInSeconds,
            filters,
            reportBatchItemFailures,
            bisectBatchOnFunctionError: props.BisectBatchOnFunctionError === true || props.BisectBatchOnFunctionError === 'true',
            maxRetryAttempts: props.MaximumRetryAttempts === undefined ? undefined : Number(props.MaximumRetryAttempts),
            maxRecordAgeSeconds: props.MaximumRecordAgeInSeconds === undefined ? undefined : Number(props.MaximumRecordAgeInSeconds),
            onFailureArn: props.DestinationConfig?.OnFailure?.Destination,
            streams,
            invoke: (id, event) => runner.invoke(id, event),
            sendToQueue: (arn, body) => sendToQueue(arn, body),
            onError: log,
          }).start();
          pollers.set(key, { signature, kind: 'stream', stop: () => poller.stop(), inFlight: () => (poller.busy ? 1 : 0) });
        } else {
          log(`${ref.key}: event source ${sourceArn} is not emulated (only SQS and DynamoDB streams)`);
        }
      }
    };

    const applyApis = async (next: CloudAssembly, resolver: Resolver): Promise<Map<string, string>> => {
      const apis = loadApis(next, resolver);
      const origins = new Map<string, string>();
      const keys = new Set(apis.map((a) => a.key));
      for (const [key, server] of apiServers) {
        if (!keys.has(key)) {
          await server.stop();
          apiServers.delete(key);
        }
      }
      for (const key of Object.keys(endpoints)) delete endpoints[key];
      for (const api of apis) {
        let server = apiServers.get(api.key);
        if (server) server.update(api);
        else {
          const logicalId = api.key.split('/')[1]!;
          const port = options.ports?.apis?.[api.name] ?? options.ports?.apis?.[logicalId] ?? options.ports?.apis?.[api.key];
          server = await ApiServer.start(api, { port, invoke: invokeByArn, log });
          apiServers.set(api.key, server);
        }
        const logicalId = api.key.split('/')[1]!;
        endpoints[constructId(logicalId)] = server.url;
        endpoints[api.name] = server.url;
        endpoints[logicalId] = server.url;
        endpoints[api.key] = server.url;
        // Keyed by what `Ref` to the RestApi resolves to: the id inside its execute-api URL.
        const ref = next.find(api.key);
        if (ref) origins.set(String(resolver.ref(ref)), new URL(server.url).origin);
      }
      return origins;
    };

    await apply(assembly);

    const find = (id: string, kind: string) => {
      const ref = assembly.find(id);
      if (!ref) throw new Error(`No ${kind} ${id} in the assembly`);
      return ref;
    };

    return {
      endpoints,
      services,
      functionServices: forFunctions,
      transactionConflicts,
      eventBridge,
      assembly: () => assembly,
      invoke: (functionId, event) => runner.invoke(assembly.find(functionId)?.key ?? functionId, event),
      queueUrl(id) {
        const queue = queues.get(find(id, 'queue').key);
        if (!queue) throw new Error(`${id} is not a queue`);
        return queue.url;
      },
      tableName(id) {
        const table = tables.get(find(id, 'table').key);
        if (!table) throw new Error(`${id} is not a table`);
        return table.name;
      },
      queues: () => [...queues.values()],
      activity() {
        const all = [...pollers.values()];
        const sum = (kind: RunningPoller['kind']) => all.filter((p) => p.kind === kind).reduce((n, p) => n + p.inFlight(), 0);
        return { invocations: runner.inFlight - scheduledInFlight, scheduledInvocations: scheduledInFlight, sqsBatches: sum('sqs'), busyStreams: sum('stream') };
      },
      async reload(dir = assemblyDir) {
        const next = CloudAssembly.load(dir);
        await apply(next);
        assemblyDir = dir;
        log(`reloaded ${dir}`);
      },
      stop: stopOwned,
    };
  } catch (error) {
    await stopOwned();
    throw error;
  }
}

/**
 * The SQS client sends a request to its `QueueUrl`'s host unless the client was built with an
 * explicit endpoint (`AWS_ENDPOINT_URL_SQS` does not count), so queue URLs in a function's
 * environment must name the endpoint the function is meant to use.
 */
function withSqsUrlsVia(fn: FunctionDefinition, real: string, forFunctions: string): FunctionDefinition {
  if (real === forFunctions) return fn;
  const env = Object.fromEntries(Object.entries(fn.env).map(([k, v]) => [k, k.startsWith('AWS_ENDPOINT_URL') || !v.startsWith(`${real}/`) ? v : forFunctions + v.slice(real.length)]));
  return { ...fn, env };
}

function signatureOf(props: unknown): string {
  return JSON.stringify(props);
}
