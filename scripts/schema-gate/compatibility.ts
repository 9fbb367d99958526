import jsonSchemaDiffModule from 'json-schema-diff';
import type { CompatibilityResult, SchemaFile } from './types.js';

const jsonSchemaDiff = ((jsonSchemaDiffModule as unknown as { default?: typeof jsonSchemaDiffModule }).default ??
  jsonSchemaDiffModule) as typeof jsonSchemaDiffModule;

const ANNOTATIONS = new Set(['$schema', 'title', 'description', 'default']);
/** Keywords json-schema-diff ignores (its KEYWORDS.md); we compare them ourselves. */
const NOT_DIFFED = ['enum', 'format', 'pattern', 'multipleOf', 'uniqueItems', 'additionalItems', 'patternProperties', 'dependencies'];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Drops annotations, recursively. */
function stripAnnotations(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(stripAnnotations);
  if (!isObject(node)) return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (ANNOTATIONS.has(k)) continue;
    out[k] = k === 'enum' || k === 'required' ? v : stripAnnotations(v);
  }
  return out;
}

/**
 * The schema as compared across versions: annotations dropped and the `event_version` pin
 * removed (every version pins its own number, which would otherwise make any two versions
 * incompatible; the question is whether the rest of the event is readable).
 */
export function normalizeForDiff(schema: Record<string, unknown>): Record<string, unknown> {
  const out = stripAnnotations(schema) as Record<string, unknown>;
  if (isObject(out.properties) && isObject(out.properties.event_version)) {
    out.properties = { ...out.properties, event_version: { type: 'string' } };
  }
  return out;
}

/** Paths (present in both schemas) where a keyword json-schema-diff ignores differs. */
export function undiffedDifferences(a: unknown, b: unknown, at = '#'): string[] {
  if (!isObject(a) || !isObject(b)) return [];
  const found: string[] = [];
  for (const k of NOT_DIFFED) {
    if (JSON.stringify(a[k]) !== JSON.stringify(b[k])) found.push(`${at}/${k}`);
  }
  if (isObject(a.properties) && isObject(b.properties)) {
    for (const key of Object.keys(a.properties)) {
      if (Object.hasOwn(b.properties, key)) {
        found.push(...undiffedDifferences(a.properties[key], b.properties[key], `${at}/properties/${key}`));
      }
    }
  }
  for (const k of ['items', 'additionalProperties', 'not']) {
    found.push(...undiffedDifferences(a[k], b[k], `${at}/${k}`));
  }
  return found;
}

/**
 * Our own rule for the keyword subset the event schemas use: is every instance valid under
 * `a` also valid under `b`? Sound for that subset (type, enum, properties, required,
 * additionalProperties, min/maxLength, minimum/maximum, pattern, format): it answers "yes"
 * only when it can show it, and lists why not otherwise.
 */
export function acceptsAll(a: unknown, b: unknown, at = '#'): string[] {
  if (!isObject(a) || !isObject(b)) return JSON.stringify(a) === JSON.stringify(b) ? [] : [`${at}: schemas differ`];
  const why: string[] = [];
  const typesA: unknown[] = [a.type].flat().filter((t) => t !== undefined);
  const typesB: unknown[] = [b.type].flat().filter((t) => t !== undefined);
  if (typesB.length > 0) {
    const okType = (t: unknown) => typesB.includes(t) || (t === 'integer' && typesB.includes('number'));
    if (typesA.length === 0 || !typesA.every(okType)) why.push(`${at}: type ${JSON.stringify(a.type)} is not within ${JSON.stringify(b.type)}`);
  }
  if (Array.isArray(b.enum)) {
    const enumB = b.enum.map((v) => JSON.stringify(v));
    if (!Array.isArray(a.enum) || !a.enum.every((v) => enumB.includes(JSON.stringify(v)))) why.push(`${at}: enum narrowed`);
  }
  for (const k of ['pattern', 'format']) {
    if (b[k] !== undefined && b[k] !== a[k]) why.push(`${at}: ${k} ${JSON.stringify(a[k])} -> ${JSON.stringify(b[k])}`);
  }
  for (const [k, looser] of [['minLength', -1], ['minimum', -1], ['maxLength', 1], ['maximum', 1]] as const) {
    const vb = b[k];
    const va = a[k];
    if (typeof vb !== 'number') continue;
    if (typeof va !== 'number' || (looser < 0 ? va < vb : va > vb)) why.push(`${at}: ${k} ${String(va)} -> ${vb}`);
  }
  const propsA = isObject(a.properties) ? a.properties : {};
  const propsB = isObject(b.properties) ? b.properties : {};
  const reqA = new Set(Array.isArray(a.required) ? a.required : []);
  for (const r of Array.isArray(b.required) ? b.required : []) {
    if (!reqA.has(r)) why.push(`${at}/properties/${String(r)}: required by the reader, ${Object.hasOwn(propsA, String(r)) ? 'optional' : 'unknown'} for the writer`);
  }
  for (const [key, sub] of Object.entries(propsA)) {
    if (Object.hasOwn(propsB, key)) why.push(...acceptsAll(sub, propsB[key], `${at}/properties/${key}`));
    else if (b.additionalProperties === false) why.push(`${at}/properties/${key}: written by the writer, not allowed by the reader`);
  }
  if (b.additionalProperties === false && a.additionalProperties !== false) why.push(`${at}: additionalProperties closed`);
  if (a.items !== undefined || b.items !== undefined) why.push(...acceptsAll(a.items, b.items, `${at}/items`));
  return why;
}

/**
 * Compatibility of `to` (version N) with `from` (N-1), ignoring the version pin:
 * backward = every event valid under N-1 is valid under N (consumers of N read N-1);
 * forward = every event valid under N is valid under N-1 (consumers of N-1 read N).
 *
 * Two opinions are combined and a direction is "yes" only when both agree:
 * json-schema-diff (set-based; ignores enum, format and pattern, see its KEYWORDS.md) and
 * our own structural rule {@link acceptsAll}. Disagreements are listed in the notes.
 */
export async function compareVersions(from: SchemaFile, to: SchemaFile): Promise<CompatibilityResult> {
  const source = normalizeForDiff(from.schema);
  const destination = normalizeForDiff(to.schema);
  const diff = await jsonSchemaDiff.diffSchemas({ sourceSchema: source, destinationSchema: destination });
  const notes: string[] = [];
  const ownBackward = acceptsAll(source, destination);
  const ownForward = acceptsAll(destination, source);
  const diffBackward = !diff.removalsFound;
  const diffForward = !diff.additionsFound;
  if (ownBackward.length > 0) notes.push(`v${to.version} rejects some v${from.version} events: ${ownBackward.join('; ')}`);
  if (ownForward.length > 0) notes.push(`v${from.version} rejects some v${to.version} events: ${ownForward.join('; ')}`);
  if (diffBackward !== (ownBackward.length === 0) || diffForward !== (ownForward.length === 0)) {
    notes.push(
      `json-schema-diff says backward ${diffBackward ? 'yes' : 'no'}, forward ${diffForward ? 'yes' : 'no'}; the own rule says backward ${ownBackward.length === 0 ? 'yes' : 'no'}, forward ${ownForward.length === 0 ? 'yes' : 'no'}; reporting "yes" only where both agree`,
    );
  }
  const unproven = undiffedDifferences(source, destination);
  if (unproven.length > 0) notes.push(`json-schema-diff ignores enum/format/pattern, which differ at ${unproven.join(', ')}`);
  return {
    name: to.name,
    from: from.version,
    to: to.version,
    backward: diffBackward && ownBackward.length === 0,
    forward: diffForward && ownForward.length === 0,
    notes,
  };
}

/**
 * Results of {@link compareVersions} by the pair's names, versions and schemas: the result depends
 * on nothing else, and a process that runs the gate again (the gate's tests) diffs each pair once.
 */
const compared = new Map<string, Promise<CompatibilityResult>>();

/** Compatibility of each version N>0 with N-1, for every event that has both. */
export async function compareAllVersions(schemas: readonly SchemaFile[]): Promise<CompatibilityResult[]> {
  const results: CompatibilityResult[] = [];
  for (const to of schemas) {
    if (to.version === '0') continue;
    const from = schemas.find((s) => s.name === to.name && Number(s.version) === Number(to.version) - 1);
    if (!from) continue;
    const key = JSON.stringify([from.key, to.key, from.schema, to.schema]);
    if (!compared.has(key)) compared.set(key, compareVersions(from, to));
    // A failed diff is not kept: the next run tries again.
    results.push(await compared.get(key)!.catch((error: unknown) => {
      compared.delete(key);
      throw error;
    }));
  }
  return results;
}
