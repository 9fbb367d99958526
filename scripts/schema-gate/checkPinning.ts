import type { GateIssue, SchemaFile } from './types.js';

export const DRAFT_07 = 'http://json-schema.org/draft-07/schema#';
const ENVELOPE_REQUIRED = ['event_id', 'event_name', 'event_version', 'produced_at', 'producer', 'payload'];
const SERVICES = ['hiring', 'tasks', 'bonus'];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function sameArray(a: unknown, b: readonly unknown[]): boolean {
  return Array.isArray(a) && a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * Checks that `<Name>/<N>.json` pins its identity and envelope: `$schema` draft-07, title
 * `<Name>.vN`, `event_name` enum `[Name]`, `event_version` enum `["N"]`, a single-service
 * `producer` enum, the envelope's `required` list and `additionalProperties: false` at the top
 * and in `payload`.
 */
export function checkPinning(file: SchemaFile): GateIssue[] {
  const issues: GateIssue[] = [];
  const fail = (message: string) => issues.push({ check: 'pinning', subject: file.key, message });
  const s = file.schema;
  if (s.$schema !== DRAFT_07) fail(`$schema must be "${DRAFT_07}"`);
  const title = `${file.name}.v${file.version}`;
  if (s.title !== title) fail(`title must be "${title}", found ${JSON.stringify(s.title)}`);
  if (typeof s.description !== 'string' || s.description.length === 0) fail('a description is required');
  if (s.type !== 'object') fail('type must be "object"');
  if (s.additionalProperties !== false) fail('additionalProperties must be false at the top level');
  if (!sameArray(s.required, ENVELOPE_REQUIRED)) fail(`required must be ${JSON.stringify(ENVELOPE_REQUIRED)}`);
  const props = isObject(s.properties) ? s.properties : {};
  const prop = (k: string) => (isObject(props[k]) ? props[k] : {});
  if (!sameArray(prop('event_name').enum, [file.name])) {
    fail(`properties.event_name.enum must be ["${file.name}"] (the folder name), found ${JSON.stringify(prop('event_name').enum)}`);
  }
  if (!sameArray(prop('event_version').enum, [file.version])) {
    fail(`properties.event_version.enum must be ["${file.version}"] (the file name), found ${JSON.stringify(prop('event_version').enum)}`);
  }
  const producer = prop('producer').enum;
  if (!Array.isArray(producer) || producer.length !== 1 || !SERVICES.includes(producer[0] as string)) {
    fail(`properties.producer.enum must name the one producing service (${SERVICES.join(', ')})`);
  }
  const payload = prop('payload');
  if (payload.type !== 'object' || payload.additionalProperties !== false) {
    fail('properties.payload must be an object schema with additionalProperties: false');
  }
  return issues;
}

/**
 * Versions of each event must run 0, 1, 2, ... with no gap. Versions retired from the
 * folder but still in the lock count as present, so a number is never reused.
 */
export function checkContiguous(schemas: readonly SchemaFile[], retiredKeys: readonly string[] = []): GateIssue[] {
  const byName = new Map<string, Set<number>>();
  const add = (name: string, version: number) => {
    const set = byName.get(name) ?? new Set<number>();
    set.add(version);
    byName.set(name, set);
  };
  for (const s of schemas) add(s.name, Number(s.version));
  for (const key of retiredKeys) {
    const [name, version] = key.split('/');
    if (name && version !== undefined && /^\d+$/.test(version)) add(name, Number(version));
  }
  const issues: GateIssue[] = [];
  for (const [name, set] of [...byName].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const versions = [...set].sort((a, b) => a - b);
    const missing = [];
    for (let v = 0; v <= versions[versions.length - 1]!; v++) if (!set.has(v)) missing.push(v);
    if (missing.length > 0) {
      issues.push({
        check: 'pinning',
        subject: name,
        message: `versions must be contiguous from 0; found ${versions.join(', ')}, missing ${missing.join(', ')}`,
      });
    }
  }
  return issues;
}
