/**
 * Runs `AWS::Lambda::Function`s from their bundled asset folders in cdk.out, each invocation in a
 * `worker_threads` Worker with the function's own environment (a sandbox is reused for later
 * invocations, like a warm Lambda; up to `maxConcurrency` sandboxes per function).
 *
 * - Code: `Metadata['aws:asset:path']` (CDK writes it on every asset-backed function), or inline
 *   `Code.ZipFile` written to a temp folder. CJS (`index.js`/`.cjs`) and ESM (`.mjs`) handlers.
 * - `@aws-sdk/*` left out of a bundle (NodejsFunction's default) resolves from the project's
 *   node_modules, as the Lambda runtime's own SDK copy would.
 * - The template's timeout is enforced: the worker is terminated, the invocation fails with
 *   `Task timed out after N seconds` (error type `Sandbox.Timedout`).
 * - A throw, a rejected promise or a crashed worker rejects `invoke` with a {@link LambdaInvocationError}.
 *
 * @example
 * const runner = new LambdaRunner([{ key: 'S/Fn', name: 'S-Fn', codeDir, handler: 'index.handler', timeoutSeconds: 3, env: {} }]);
 * const result = await runner.invoke('S/Fn', { hello: 'world' });
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { LOCAL_ACCOUNT, LOCAL_REGION, type CloudAssembly, type Resolver } from './assembly.js';

export interface FunctionDefinition {
  /** `<stack>/<logicalId>`. */
  readonly key: string;
  readonly name: string;
  readonly arn?: string;
  readonly codeDir: string;
  /**
   * The code package's identity, as CloudFormation compares it (the asset's S3 key): two
   * definitions with the same id run the same code, wherever each assembly unpacked it.
   * Default: `codeDir`.
   */
  readonly codeId?: string;
  /** `file.export`, e.g. `index.handler`. */
  readonly handler: string;
  readonly timeoutSeconds: number;
  readonly memorySize?: number;
  readonly env: Record<string, string>;
  /** Sandboxes that may run at once. Default 10 (ReservedConcurrentExecutions when set). */
  readonly maxConcurrency?: number;
}

export class LambdaInvocationError extends Error {
  constructor(
    readonly functionName: string,
    readonly errorType: string,
    readonly errorMessage: string,
    /** `Unhandled` for a throw/crash, `TimedOut` when the timeout killed it. */
    readonly kind: 'Unhandled' | 'TimedOut',
  ) {
    super(`${functionName}: ${errorType}: ${errorMessage}`);
    this.name = 'LambdaInvocationError';
  }
}

/**
 * A crash injected into one invocation (chaos runs): `crash-mid` terminates the sandbox `afterMs`
 * after the handler started (cold start excluded) (whatever the handler did so far stays done), `crash-after` lets the handler
 * finish and then loses its result as a crashing runtime would. Both reject with `Runtime.ExitError`.
 */
export type InvocationFault =
  | { readonly kind: 'crash-mid'; readonly afterMs: number; /** Called when the crash happens (not when the handler finished first). */ readonly onCrash?: () => void }
  | { readonly kind: 'crash-after'; readonly onCrash?: () => void };

export interface LambdaRunnerOptions {
  /** Receives each line a function prints. Default: printed to stdout prefixed with the function name. */
  readonly log?: (functionName: string, line: string) => void;
  /** Chaos hook: asked before each invocation whether to crash it (see {@link InvocationFault}). */
  readonly invocationFault?: (fn: FunctionDefinition, event: unknown) => InvocationFault | undefined;
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Module = require('node:module');
const path = require('node:path');
const fs = require('node:fs');
const { pathToFileURL } = require('node:url');
if (workerData.nodePath) { process.env.NODE_PATH = workerData.nodePath; Module._initPaths(); }
let handlerFn;
async function load() {
  const spec = workerData.handler;
  const dot = spec.lastIndexOf('.');
  const file = spec.slice(0, dot), name = spec.slice(dot + 1);
  const base = path.join(workerData.codeDir, file);
  let mod;
  if (fs.existsSync(base + '.mjs')) mod = await import(pathToFileURL(base + '.mjs').href);
  else if (fs.existsSync(base + '.cjs')) mod = require(base + '.cjs');
  else mod = require(base);
  const fn = mod[name] ?? (mod.default && mod.default[name]);
  if (typeof fn !== 'function') throw Object.assign(new Error('Handler ' + spec + ' is undefined or not exported'), { name: 'Runtime.HandlerNotFound' });
  return fn;
}
parentPort.on('message', async ({ id, event, context: ctx }) => {
  const context = Object.assign({}, ctx, {
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, ctx.deadline - Date.now()),
    done() {}, succeed() {}, fail() {},
  });
  delete context.deadline;
  try {
    if (!handlerFn) handlerFn = await load();
    if (workerData.reportStart) parentPort.postMessage({ id, started: true });
    let result;
    if (handlerFn.length >= 3) {
      result = await new Promise((resolve, reject) => {
        const r = handlerFn(event, context, (err, value) => (err ? reject(err) : resolve(value)));
        if (r && typeof r.then === 'function') r.then(resolve, reject);
      });
    } else {
      result = await handlerFn(event, context);
    }
    const json = result === undefined ? null : JSON.parse(JSON.stringify(result));
    parentPort.postMessage({ id, ok: true, result: json });
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    parentPort.postMessage({ id, ok: false, errorType: e.name || 'Error', errorMessage: e.message });
  }
});
`;

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
  fault?: InvocationFault;
  killer?: NodeJS.Timeout;
}

class Sandbox {
  readonly worker: Worker;
  private pending?: Pending;
  dead = false;

  constructor(
    private readonly fn: FunctionDefinition,
    nodePath: string,
    log: (line: string) => void,
    onExit: (sandbox: Sandbox) => void,
    /** The worker tells when the handler starts (only needed for injected crash-mid faults). */
    reportStart = false,
  ) {
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      env: fn.env,
      workerData: { codeDir: fn.codeDir, handler: fn.handler, nodePath, reportStart },
      stdout: true,
      stderr: true,
      resourceLimits: fn.memorySize ? { maxOldGenerationSizeMb: Math.max(fn.memorySize, 256) } : undefined,
    });
    pipeLines(this.worker.stdout, log);
    pipeLines(this.worker.stderr, log);
    this.worker.on('message', (msg: { id: string; ok: boolean; started?: boolean; result?: unknown; errorType?: string; errorMessage?: string }) => {
      const pending = this.pending;
      if (!pending) return;
      if (msg.started) {
        // The handler is running (cold start done): a crash-mid counts from here.
        const fault = pending.fault;
        if (fault?.kind === 'crash-mid') {
          pending.killer = setTimeout(() => {
            if (this.pending !== pending) return;
            fault.onCrash?.();
            void this.worker.terminate();
          }, fault.afterMs);
        }
        return;
      }
      this.pending = undefined;
      clearTimeout(pending.timer);
      clearTimeout(pending.killer);
      if (pending.fault?.kind === 'crash-after') {
        // The handler finished, the runtime "crashed" before reporting: the work is done, the result is lost.
        pending.fault.onCrash?.();
        this.dead = true;
        void this.worker.terminate();
        pending.reject(new LambdaInvocationError(fn.name, 'Runtime.ExitError', 'injected crash after the handler returned (result lost)', 'Unhandled'));
        onExit(this);
        return;
      }
      if (msg.ok) pending.resolve(msg.result);
      else pending.reject(new LambdaInvocationError(fn.name, msg.errorType ?? 'Error', msg.errorMessage ?? '', 'Unhandled'));
    });
    const die = (error: Error) => {
      if (this.dead) return;
      this.dead = true;
      const pending = this.pending;
      this.pending = undefined;
      if (pending) {
        clearTimeout(pending.timer);
        clearTimeout(pending.killer);
        const message = pending.fault?.kind === 'crash-mid' ? `injected crash ${pending.fault.afterMs} ms into the invocation (${error.message})` : error.message;
        pending.reject(new LambdaInvocationError(fn.name, 'Runtime.ExitError', message, 'Unhandled'));
      }
      onExit(this);
    };
    this.worker.on('error', (error) => die(error));
    this.worker.on('exit', (code) => die(new Error(`RequestId: sandbox exited with code ${code}`)));
  }

  invoke(event: unknown, requestId: string, fault?: InvocationFault): Promise<unknown> {
    const fn = this.fn;
    const timeoutMs = fn.timeoutSeconds * 1000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending = undefined;
        this.dead = true;
        void this.worker.terminate();
        reject(new LambdaInvocationError(fn.name, 'Sandbox.Timedout', `Task timed out after ${fn.timeoutSeconds.toFixed(2)} seconds`, 'TimedOut'));
      }, timeoutMs);
      this.pending = { resolve, reject, timer, fault };
      const context = {
        functionName: fn.name,
        functionVersion: '$LATEST',
        invokedFunctionArn: fn.arn ?? `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${fn.name}`,
        memoryLimitInMB: String(fn.memorySize ?? 128),
        awsRequestId: requestId,
        logGroupName: `/aws/lambda/${fn.name}`,
        logStreamName: `local/${requestId}`,
        deadline: Date.now() + timeoutMs,
      };
      this.worker.postMessage({ id: requestId, event, context });
    });
  }

  /** Ends the sandbox; an invocation still running fails now rather than at its timeout. */
  terminate(): Promise<number> {
    this.dead = true;
    const pending = this.pending;
    this.pending = undefined;
    if (pending) {
      clearTimeout(pending.timer);
      clearTimeout(pending.killer);
      pending.reject(new LambdaInvocationError(this.fn.name, 'Runtime.ExitError', 'sandbox stopped', 'Unhandled'));
    }
    return this.worker.terminate();
  }
}

function pipeLines(stream: NodeJS.ReadableStream, log: (line: string) => void): void {
  let buffer = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffer += chunk;
    for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
      log(buffer.slice(0, nl));
      buffer = buffer.slice(nl + 1);
    }
  });
  stream.on('end', () => buffer && log(buffer));
}

/** An invocation reached a pool whose function definition was replaced before it got a sandbox. */
class PoolRetiredError extends Error {
  constructor() {
    super('function definition replaced');
    this.name = 'PoolRetiredError';
  }
}

/**
 * What a deployment compares to decide whether a function changes: its code package and its
 * configuration. The folder an assembly unpacked the code in (and `LAMBDA_TASK_ROOT`, which names
 * it; `/var/task` on AWS) is not part of it: re-synthesized into another folder, an unchanged
 * function is not updated by CloudFormation and keeps its warm sandboxes.
 */
function deployedAs(fn: FunctionDefinition): string {
  const { codeDir, codeId, env, ...configuration } = fn;
  const { LAMBDA_TASK_ROOT: _taskRoot, ...variables } = env;
  return JSON.stringify({ ...configuration, code: codeId ?? codeDir, env: variables });
}

class FunctionPool {
  private readonly idle: Sandbox[] = [];
  private readonly all = new Set<Sandbox>();
  private readonly waiters: Array<() => void> = [];
  private stopped = false;

  constructor(
    /** Replaced by an unchanged deployment from another assembly folder: new sandboxes load from there. */
    public fn: FunctionDefinition,
    private readonly nodePath: string,
    private readonly log: (line: string) => void,
    private readonly faultFor?: LambdaRunnerOptions['invocationFault'],
  ) {}

  async invoke(event: unknown): Promise<unknown> {
    if (this.stopped) throw new LambdaInvocationError(this.fn.name, 'ResourceNotFoundException', 'function was removed', 'Unhandled');
    const sandbox = await this.acquire();
    try {
      return await sandbox.invoke(event, randomUUID(), this.faultFor?.(this.fn, event));
    } finally {
      this.release(sandbox);
    }
  }

  private async acquire(): Promise<Sandbox> {
    for (;;) {
      if (this.stopped) throw new PoolRetiredError();
      const idle = this.idle.pop();
      if (idle && !idle.dead) return idle;
      if (idle) continue;
      if (this.all.size < (this.fn.maxConcurrency ?? 10)) {
        const sandbox = new Sandbox(this.fn, this.nodePath, this.log, (s) => this.forget(s), this.faultFor !== undefined);
        this.all.add(sandbox);
        return sandbox;
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  private release(sandbox: Sandbox): void {
    if (sandbox.dead) this.forget(sandbox);
    else if (this.stopped) void sandbox.terminate();
    else this.idle.push(sandbox);
    this.waiters.shift()?.();
  }

  private forget(sandbox: Sandbox): void {
    if (!this.all.delete(sandbox)) return;
    const i = this.idle.indexOf(sandbox);
    if (i >= 0) this.idle.splice(i, 1);
    this.waiters.shift()?.();
  }

  /**
   * Takes no more invocations; idle sandboxes end now, busy ones when their invocation returns (as a
   * deployment lets running invocations finish on the old code). Waiting invocations are handed back
   * ({@link PoolRetiredError}) to run on the function's new definition.
   */
  retire(): void {
    this.stopped = true;
    for (const sandbox of this.idle.splice(0)) {
      this.all.delete(sandbox);
      void sandbox.terminate();
    }
    for (const w of this.waiters.splice(0)) w();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const all = [...this.all];
    this.all.clear();
    this.idle.length = 0;
    for (const w of this.waiters.splice(0)) w();
    await Promise.all(all.map((s) => s.terminate()));
  }
}

function projectNodeModules(): string {
  const require = createRequire(import.meta.url);
  try {
    // <project>/node_modules/@aws-sdk/client-sqs/package.json -> <project>/node_modules
    return dirname(dirname(dirname(require.resolve('@aws-sdk/client-sqs/package.json'))));
  } catch {
    return join(process.cwd(), 'node_modules');
  }
}

export class LambdaRunner {
  private readonly pools = new Map<string, FunctionPool>();
  private readonly nodePath = projectNodeModules();
  private running = 0;

  constructor(
    functions: readonly FunctionDefinition[],
    private readonly options: LambdaRunnerOptions = {},
  ) {
    this.update(functions);
  }

  /** The function for a key, a logical id, a function name or an ARN. */
  definition(id: string): FunctionDefinition | undefined {
    const direct = this.pools.get(id)?.fn;
    if (direct) return direct;
    const all = [...this.pools.values()].map((p) => p.fn);
    return all.find((f) => f.name === id || f.arn === id) ?? all.find((f) => f.key.endsWith(`/${id}`));
  }

  get functions(): FunctionDefinition[] {
    return [...this.pools.values()].map((p) => p.fn);
  }

  /** Invokes a function synchronously (RequestResponse); rejects with {@link LambdaInvocationError} on failure. */
  async invoke(id: string, event: unknown): Promise<unknown> {
    this.running += 1;
    try {
      for (;;) {
        const fn = this.definition(id);
        if (!fn) throw new Error(`No local function ${id}`);
        try {
          return await this.pools.get(fn.key)!.invoke(event);
        } catch (error) {
          // The definition changed while this invocation waited for a sandbox: run it on the new one.
          if (!(error instanceof PoolRetiredError)) throw error;
        }
      }
    } finally {
      this.running -= 1;
    }
  }

  /** Invocations started and not finished yet (waiting for a sandbox included). */
  get inFlight(): number {
    return this.running;
  }

  /**
   * Replaces the set of functions: unchanged ones (same code package and configuration, see
   * {@link deployedAs}) keep their warm sandboxes; changed and removed ones
   * retire (running invocations finish on the old code, later ones use the new definition).
   */
  update(functions: readonly FunctionDefinition[]): void {
    const wanted = new Map(functions.map((f) => [f.key, f]));
    for (const [key, pool] of this.pools) {
      const next = wanted.get(key);
      if (next && deployedAs(next) === deployedAs(pool.fn)) {
        pool.fn = next;
        continue;
      }
      pool.retire();
      this.pools.delete(key);
    }
    for (const fn of functions) {
      if (this.pools.has(fn.key)) continue;
      const log = this.options.log ? (line: string) => this.options.log!(fn.name, line) : (line: string) => process.stdout.write(`[${fn.name}] ${line}\n`);
      this.pools.set(fn.key, new FunctionPool(fn, this.nodePath, log, this.options.invocationFault));
    }
  }

  async stop(): Promise<void> {
    await Promise.all([...this.pools.values()].map((p) => p.stop()));
    this.pools.clear();
  }
}

/** Endpoints the functions' AWS SDK clients are pointed at. */
export interface LocalEndpoints {
  readonly dynamodb?: string;
  readonly sqs?: string;
  readonly eventbridge?: string;
  /** Local origin (`http://127.0.0.1:<port>`) of each RestApi, by the id its execute-api URL carries. */
  readonly apiOrigins?: ReadonlyMap<string, string>;
}

const EXECUTE_API_URL = /^https:\/\/([^./]+)\.execute-api\.[^/]+/;

/**
 * A function's environment may name another service's API by its AWS invoke URL
 * (`https://<api-id>.execute-api.<region>.<suffix>/<stage>`): point it at the local server instead.
 */
export function localizeApiUrl(value: string, apiOrigins: ReadonlyMap<string, string> | undefined): string {
  const match = EXECUTE_API_URL.exec(value);
  const origin = match && apiOrigins?.get(match[1]!);
  return origin ? origin + value.slice(match[0].length) : value;
}

/** Builds the runner's definitions from the assembly's `AWS::Lambda::Function`s. */
export function functionDefinitions(assembly: CloudAssembly, resolver: Resolver, endpoints: LocalEndpoints): FunctionDefinition[] {
  const out: FunctionDefinition[] = [];
  for (const ref of assembly.resources('AWS::Lambda::Function')) {
    const props = resolver.properties(ref) as {
      Handler?: string;
      Timeout?: number;
      MemorySize?: number;
      Runtime?: string;
      Code?: { ZipFile?: string; S3Key?: unknown };
      Environment?: { Variables?: Record<string, unknown> };
      ReservedConcurrentExecutions?: number;
    };
    if (props.Runtime && !props.Runtime.startsWith('nodejs')) {
      process.stderr.write(`[local] ${ref.key}: runtime ${props.Runtime} is not supported locally; function skipped\n`);
      continue;
    }
    let codeDir = assembly.assetPath(ref);
    if (!codeDir && props.Code?.ZipFile !== undefined) {
      codeDir = join(tmpdir(), `local-lambda-${createHash('sha256').update(`${ref.key}\n${props.Code.ZipFile}`).digest('hex').slice(0, 16)}`);
      mkdirSync(codeDir, { recursive: true });
      writeFileSync(join(codeDir, 'index.js'), props.Code.ZipFile);
    }
    if (!codeDir || !existsSync(codeDir)) {
      throw new Error(`${ref.key}: no code found (neither Metadata 'aws:asset:path' pointing to an existing folder nor Code.ZipFile)`);
    }
    const name = resolver.physicalName(ref);
    const variables = Object.fromEntries(
      Object.entries(props.Environment?.Variables ?? {}).map(([k, v]) => [k, localizeApiUrl(String(v), endpoints.apiOrigins)]),
    );
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      TZ: 'UTC',
      LANG: 'en_US.UTF-8',
      AWS_REGION: LOCAL_REGION,
      AWS_DEFAULT_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_SESSION_TOKEN: 'local',
      AWS_LAMBDA_FUNCTION_NAME: name,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(props.MemorySize ?? 128),
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${name}`,
      AWS_EXECUTION_ENV: `AWS_Lambda_${props.Runtime ?? 'nodejs20.x'}`,
      LAMBDA_TASK_ROOT: codeDir,
      _HANDLER: props.Handler ?? 'index.handler',
      // The functions run on this machine's Node (20 is supported here), not the Lambda runtime's: the
      // SDK's Node 20 end-of-support notice would repeat in every function's log and says nothing of Lambda.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      // No X-Ray daemon offline: the functions' Powertools Tracer would fail to find a segment.
      POWERTOOLS_TRACE_ENABLED: 'false',
      ...(endpoints.dynamodb ? { AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb, AWS_ENDPOINT_URL_DYNAMODB_STREAMS: endpoints.dynamodb } : {}),
      ...(endpoints.sqs ? { AWS_ENDPOINT_URL_SQS: endpoints.sqs } : {}),
      ...(endpoints.eventbridge ? { AWS_ENDPOINT_URL_EVENTBRIDGE: endpoints.eventbridge } : {}),
      ...variables,
    };
    out.push({
      key: ref.key,
      name,
      arn: resolver.getAtt(ref, 'Arn') as string,
      codeDir,
      codeId: typeof props.Code?.S3Key === 'string' ? props.Code.S3Key : undefined,
      handler: props.Handler ?? 'index.handler',
      timeoutSeconds: props.Timeout ?? 3,
      memorySize: props.MemorySize,
      env,
      maxConcurrency: props.ReservedConcurrentExecutions || undefined,
    });
  }
  return out;
}
