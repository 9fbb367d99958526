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
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { apiName, DEFAULT_STAGE } from '../lib/stage.js';

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

/** `base` + `path` with exactly one slash between them. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}
