/**
 * `.local/endpoints.json`: where a running system answers. `npm start` writes it; the demo, the DLQ
 * tool, the benchmark and the end-to-end suite (`E2E_ENDPOINTS=<file>`) read it.
 *
 * ```json
 * { "hiring": "http://127.0.0.1:4101/v1/", "tasks": "...", "bonus": "...",
 *   "local": { "dynamodb": "http://127.0.0.1:4200", "sqs": "...", "eventbridge": "...", "assembly": ".local/cdk.out" } }
 * ```
 * `local` is present only for the offline runtime (a deployed stack has no such servers).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { apiName, DEFAULT_STAGE } from '../lib/stage.js';
import { isRunning } from './processes.js';

export const DEFAULT_ENDPOINTS_FILE = '.local/endpoints.json';

export const SERVICES = ['hiring', 'tasks', 'bonus'] as const;
export type ServiceName = (typeof SERVICES)[number];

export interface LocalServiceEndpoints {
  readonly dynamodb: string;
  readonly sqs: string;
  readonly eventbridge: string;
  /** The cloud assembly the offline runtime runs (`npm run migrate -- status` reads its steps there). */
  readonly assembly?: string;
}

export interface EndpointsFile {
  readonly hiring: string;
  readonly tasks: string;
  readonly bonus: string;
  readonly local?: LocalServiceEndpoints;
  /** The process serving them (the offline runtime's CLI), so a later start can tell a live file from a stale one. */
  readonly pid?: number;
}

export class EndpointsFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EndpointsFileError';
  }
}

/** Writes the file atomically (a reader never sees half of it). */
export function writeEndpointsFile(file: string, endpoints: EndpointsFile): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(endpoints, null, 2)}\n`);
  renameSync(tmp, file);
}

/** Reads and checks the file; a missing or malformed file is an {@link EndpointsFileError} saying what to do. */
export function readEndpointsFile(file: string = DEFAULT_ENDPOINTS_FILE): EndpointsFile {
  if (!existsSync(file)) {
    throw new EndpointsFileError(
      file === DEFAULT_ENDPOINTS_FILE
        ? `${file} does not exist: the system is not running. Start it with \`npm start\` (in another shell) and try again.`
        : `${file} does not exist.`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new EndpointsFileError(`${file} is not JSON: ${(error as Error).message}`);
  }
  const value = parsed as Record<string, unknown>;
  for (const service of SERVICES) {
    const url = value?.[service];
    if (typeof url !== 'string' || !/^https?:\/\//.test(url)) {
      throw new EndpointsFileError(`${file}: "${service}" must be the service's base URL (http(s)://...), got ${JSON.stringify(url)}`);
    }
  }
  const local = value.local as Record<string, unknown> | undefined;
  if (local !== undefined) {
    for (const key of ['dynamodb', 'sqs', 'eventbridge']) {
      if (typeof local[key] !== 'string') throw new EndpointsFileError(`${file}: "local.${key}" must be a URL`);
    }
  }
  return value as unknown as EndpointsFile;
}

/**
 * The three services' base URLs among a local runtime's endpoints, which are keyed (among others) by
 * RestApi name, `<stage>-hiring-events-<service>`. Throws naming what is missing.
 */
export function serviceUrls(endpoints: Readonly<Record<string, string>>, stage: string = DEFAULT_STAGE): Record<ServiceName, string> {
  const urls = Object.fromEntries(SERVICES.map((service) => [service, endpoints[apiName(stage, service)]]));
  const missing = SERVICES.filter((service) => !urls[service]).map((service) => apiName(stage, service));
  if (missing.length > 0) throw new EndpointsFileError(`no RestApi ${missing.join(', ')} in the assembly (stage ${stage}; have ${Object.keys(endpoints).join(', ')})`);
  return urls as Record<ServiceName, string>;
}

/**
 * Before `npm start` writes `file`: a file whose `pid` is still running belongs to a live runtime and
 * the start is refused (two runs would overwrite each other's endpoints); any other file is stale (a run
 * that crashed or was killed with SIGKILL) and is removed. Returns what it did, for the start to print.
 */
export function clearStaleEndpointsFile(file: string = DEFAULT_ENDPOINTS_FILE): string | undefined {
  if (!existsSync(file)) return undefined;
  let pid: unknown;
  try {
    pid = (JSON.parse(readFileSync(file, 'utf8')) as { pid?: unknown }).pid;
  } catch {
    pid = undefined;
  }
  if (typeof pid === 'number' && pid !== process.pid && isRunning(pid) && servesLocalRuntime(pid)) {
    throw new EndpointsFileError(
      `${file} belongs to a runtime that is still running (pid ${pid}): stop it first (\`kill ${pid}\`), or start this one from another directory.`,
    );
  }
  rmSync(file, { force: true });
  return `removed a stale ${file}${typeof pid === 'number' ? ` (its runtime, pid ${pid}, is not running)` : ''}`;
}

/** On Linux, whether `pid` still runs the local CLI (a recycled pid belongs to something else); elsewhere assumed. */
function servesLocalRuntime(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('cli.ts');
  } catch {
    return !existsSync('/proc');
  }
}

/** `base` + `path` with exactly one slash between them. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}
