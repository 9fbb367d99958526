/**
 * EventBridge / Lambda event-filter content matching, with AWS's semantics (EventBridge user guide,
 * "Event patterns" and "Comparison operators"; AWS's open-source matcher aws/event-ruler, README and
 * JsonRuleCompiler), checked by the corpus in `test/fixtures/event-patterns/`.
 *
 * `compileEventPattern(pattern, owner)` validates a pattern once, refusing what AWS refuses (naming the
 * rule or mapping and the place in the pattern), and returns a predicate.
 *
 * Semantics:
 * - the event and the pattern are both read as paths of field names joined with dots, down to leaf
 *   values (string, number, boolean, null): `{"a": {"b": [1]}}` and `{"a.b": [1]}` are the same pattern,
 *   and either matches `{"a": {"b": 1}}` or `{"a.b": 1}`;
 * - every field of the pattern must match (AND); the matchers of a field are alternatives (OR); `$or`
 *   takes an array of at least two objects, each an alternative set of fields;
 * - arrays in the event are crossed out: a field matches when any element (at any depth) matches; but
 *   fields matched inside objects of an array must all come from the same element ("array-consistent",
 *   as EventBridge's rulesForJSONEvent);
 * - only leaves exist: `exists: true` does not match an object or an empty array, `exists: false`
 *   matches them; inside an array, absence is judged within the element the other fields matched;
 * - exact numbers compare as numbers; `anything-but` matches any present leaf that is not excluded
 *   (so `{"anything-but": "x"}` matches 5, and `{"anything-but": [1, 2]}` matches "1");
 * - `prefix`, `suffix` (each also `{"equals-ignore-case": s}`), `equals-ignore-case`, `wildcard`
 *   match strings only; `numeric` numbers only; `cidr` IPv4 and IPv6 address strings; an exact string
 *   that is an IP address matches the same address written another way.
 *
 * @example
 * const match = compileEventPattern({ source: ['hiring'], detail: { amount: [{ numeric: ['>', 0] }] } }, 'rule MyRule');
 * match({ source: 'hiring', detail: { amount: 5 } }); // true
 */
import { isIP } from 'node:net';

export type EventMatcher = (event: unknown) => boolean;

export class EventPatternError extends Error {
  constructor(owner: string, message: string) {
    super(`Event pattern of ${owner}: ${message}`);
    this.name = 'EventPatternError';
  }
}

type Scalar = string | number | boolean | null;

/** One leaf of the event: its dotted path, value, and the array elements it sits in (array id -> index). */
interface EventLeaf {
  readonly value: Scalar;
  readonly arrays: ReadonlyMap<number, number>;
}

/** A pattern field: its alternatives for a present leaf, and whether absence also matches. */
interface FieldMatcher {
  readonly path: string;
  readonly test: (value: Scalar) => boolean;
  readonly hasPresent: boolean;
  readonly absentMatches: boolean;
}

/** Operator names that cannot be field names inside `$or` alternatives (event-ruler's reserved list). */
const RESERVED_IN_OR = new Set([
  'exactly', 'equals-ignore-case', 'prefix', 'suffix', 'anything-but', 'exists', 'wildcard', 'numeric', 'cidr',
  '=', '<', '<=', '>', '>=', 'regex', 'not-wildcard', 'not-equals-ignore-case',
  'date-after', 'date-on-or-after', 'date-before', 'date-on-or-before', 'in-date-range', 'ip-address-in-range', 'ip-address-not-in-range',
]);

export function compileEventPattern(pattern: unknown, owner: string): EventMatcher {
  const parsed = typeof pattern === 'string' ? parseJson(pattern, owner) : pattern;
  if (!isObject(parsed)) throw new EventPatternError(owner, 'the pattern must be a JSON object');
  const subRules = compileObject(parsed, [], owner, false);
  return (event) => {
    const leaves = leavesOf(event);
    return subRules.some((fields) => matchSubRule(fields, leaves));
  };
}

function parseJson(text: string, owner: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new EventPatternError(owner, `not valid JSON (${(error as Error).message})`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------------------------------------------
// Pattern -> sub-rules (a `$or` multiplies them), each a list of fields by dotted path.

function compileObject(pattern: Record<string, unknown>, path: readonly string[], owner: string, insideOr: boolean): FieldMatcher[][] {
  const keys = Object.keys(pattern);
  const where = path.length ? `"${path.join('.')}"` : 'the top level';
  if (keys.length === 0) throw new EventPatternError(owner, `empty object at ${where}`);
  let rules: FieldMatcher[][] = [[]];
  for (const key of keys) {
    const value = pattern[key];
    if (key === '$or') {
      if (!Array.isArray(value) || value.length < 2 || !value.every(isObject)) {
        throw new EventPatternError(owner, `"$or" at ${where} needs an array of at least two objects`);
      }
      const alternatives = value.flatMap((alternative) => compileObject(alternative, path, owner, true));
      rules = rules.flatMap((rule) => alternatives.map((alternative) => [...rule, ...alternative]));
      continue;
    }
    if (insideOr && RESERVED_IN_OR.has(key)) throw new EventPatternError(owner, `"${key}" is an operator, not a field name, inside "$or" at ${where}`);
    const here = [...path, key];
    if (Array.isArray(value)) {
      const field = compileField(value, here.join('.'), owner);
      // A path given twice (`{"a.b": ...}` and `{"a": {"b": ...}}`): the later one wins, as in event-ruler.
      rules = rules.map((rule) => [...rule.filter((f) => f.path !== field.path), field]);
    } else if (isObject(value)) {
      const nested = compileObject(value, here, owner, insideOr);
      rules = rules.flatMap((rule) => nested.map((n) => [...rule.filter((f) => !n.some((m) => m.path === f.path)), ...n]));
    } else {
      throw new EventPatternError(owner, `"${here.join('.')}" must be an array of matchers or an object, got ${JSON.stringify(value)}`);
    }
  }
  return rules;
}

function compileField(alternatives: unknown[], path: string, owner: string): FieldMatcher {
  if (alternatives.length === 0) throw new EventPatternError(owner, `empty matcher array at "${path}"`);
  const tests: Array<(value: Scalar) => boolean> = [];
  let absentMatches = false;
  for (const spec of alternatives) {
    const matcher = compileMatcher(spec, owner, path);
    if (matcher === 'absent') absentMatches = true;
    else tests.push(matcher);
  }
  return { path, test: (value) => tests.some((t) => t(value)), hasPresent: tests.length > 0, absentMatches };
}

/** A predicate on a present leaf, or 'absent' for `{"exists": false}`. */
function compileMatcher(spec: unknown, owner: string, path: string): ((value: Scalar) => boolean) | 'absent' {
  if (typeof spec === 'string') return exactString(spec);
  if (typeof spec === 'number') {
    assertComparable(spec, owner, `"${path}"`);
    return (value) => value === spec;
  }
  if (spec === null || typeof spec === 'boolean') return (value) => value === spec;
  if (!isObject(spec)) throw new EventPatternError(owner, `matcher ${JSON.stringify(spec)} at "${path}" must be a string, number, true, false, null or an operator object`);
  const keys = Object.keys(spec);
  if (keys.length !== 1) throw new EventPatternError(owner, `matcher at "${path}" must have exactly one operator: ${JSON.stringify(spec)}`);
  const op = keys[0]!;
  const arg = spec[op];
  const where = `"${op}" at "${path}"`;
  switch (op) {
    case 'prefix':
    case 'suffix': {
      const test = affixTest(op, arg, owner, where);
      return (value) => typeof value === 'string' && test(value);
    }
    case 'equals-ignore-case': {
      if (typeof arg !== 'string') throw new EventPatternError(owner, `${where} needs a string`);
      const folded = fold(arg);
      return (value) => typeof value === 'string' && fold(value) === folded;
    }
    case 'wildcard': {
      if (typeof arg !== 'string') throw new EventPatternError(owner, `${where} needs a string`);
      const re = wildcardRegExp(arg, owner, where);
      return (value) => typeof value === 'string' && re.test(value);
    }
    case 'exists':
      if (typeof arg !== 'boolean') throw new EventPatternError(owner, `${where} needs true or false`);
      return arg ? () => true : 'absent';
    case 'numeric':
      return numericMatcher(arg, owner, where);
    case 'cidr':
      return cidrMatcher(arg, owner, where);
    case 'anything-but':
      return anythingBut(arg, owner, where);
    default:
      throw new EventPatternError(owner, `unsupported operator "${op}" at "${path}"`);
  }
}

/** Case folding for the ignore-case operators (lower case of the upper case, so `ß` and `SS` fold alike). */
function fold(text: string): string {
  return text.toUpperCase().toLowerCase();
}

/** An exact string; one that is an IP address also matches other spellings of that address (event-ruler). */
function exactString(expected: string): (value: Scalar) => boolean {
  const ip = parseIp(expected);
  if (!ip) return (value) => value === expected;
  return (value) => {
    if (value === expected) return true;
    if (typeof value !== 'string') return false;
    const other = parseIp(value);
    return other !== undefined && other.family === ip.family && other.value === ip.value;
  };
}

function affixTest(op: 'prefix' | 'suffix', arg: unknown, owner: string, where: string): (value: string) => boolean {
  if (typeof arg === 'string') return op === 'prefix' ? (v) => v.startsWith(arg) : (v) => v.endsWith(arg);
  if (isObject(arg) && Object.keys(arg).length === 1 && typeof arg['equals-ignore-case'] === 'string') {
    const folded = fold(arg['equals-ignore-case']);
    return op === 'prefix' ? (v) => fold(v).startsWith(folded) : (v) => fold(v).endsWith(folded);
  }
  throw new EventPatternError(owner, `${where} needs a string or {"equals-ignore-case": string}`);
}

/**
 * `*` matches any run of characters; `\*` is a star and `\\` a backslash; any other escape, a trailing
 * backslash and two stars in a row are refused (event-ruler's WildcardParser).
 */
function wildcardRegExp(pattern: string, owner: string, where: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*') {
      if (pattern[i + 1] === '*') throw new EventPatternError(owner, `${where}: consecutive wildcard characters at position ${i}`);
      source += '.*';
    } else if (ch === '\\') {
      const next = pattern[i + 1];
      if (next !== '*' && next !== '\\') throw new EventPatternError(owner, `${where}: invalid escape character at position ${i} (only \\* and \\\\ are allowed)`);
      source += `\\${next}`;
      i++;
    } else {
      source += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`, 'su');
}

/** Numbers AWS can compare: finite doubles (JSON's 1E309 is refused there; here it already parsed to Infinity). */
function assertComparable(value: number, owner: string, where: string): void {
  if (!Number.isFinite(value)) throw new EventPatternError(owner, `${where}: ${value} is not a number AWS can compare`);
}

const LOWER = new Set(['>', '>=']);
const UPPER = new Set(['<', '<=']);

/** `["=", n]`, `[op, n]`, or a range `[">"|">=", low, "<"|"<=", high]` with low < high (JsonRuleCompiler). */
function numericMatcher(arg: unknown, owner: string, where: string): (value: Scalar) => boolean {
  const bad = (why: string) => new EventPatternError(owner, `${where}: ${why}; expected ["=", n], [op, n] or [">"|">=", low, "<"|"<=", high]`);
  if (!Array.isArray(arg) || (arg.length !== 2 && arg.length !== 4)) throw bad(`${JSON.stringify(arg)} has the wrong shape`);
  const [op, bound, op2, bound2] = arg as unknown[];
  if (typeof op !== 'string' || !['=', '<', '<=', '>', '>='].includes(op)) throw bad(`unsupported comparison ${JSON.stringify(op)}`);
  if (typeof bound !== 'number') throw bad(`bound ${JSON.stringify(bound)} is not a number`);
  assertComparable(bound, owner, where);
  const compare = (o: string, b: number) => (n: number) => (o === '=' ? n === b : o === '<' ? n < b : o === '<=' ? n <= b : o === '>' ? n > b : n >= b);
  if (arg.length === 2) {
    const test = compare(op, bound);
    return (value) => typeof value === 'number' && test(value);
  }
  if (!LOWER.has(op)) throw bad(`a range starts with its lower bound (">" or ">="), not ${JSON.stringify(op)}`);
  if (typeof op2 !== 'string' || !UPPER.has(op2)) throw bad(`a range ends with its upper bound ("<" or "<="), not ${JSON.stringify(op2)}`);
  if (typeof bound2 !== 'number') throw bad(`bound ${JSON.stringify(bound2)} is not a number`);
  assertComparable(bound2, owner, where);
  if (!(bound < bound2)) throw bad(`the lower bound ${bound} must be less than the upper bound ${bound2}`);
  const low = compare(op, bound);
  const high = compare(op2, bound2);
  return (value) => typeof value === 'number' && low(value) && high(value);
}

interface Ip {
  readonly family: 4 | 6;
  readonly value: bigint;
}

function parseIp(text: string): Ip | undefined {
  const family = isIP(text);
  if (family === 4) return { family, value: text.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n) };
  if (family !== 6 || text.includes('%')) return undefined;
  // Expand "::" and a trailing dotted IPv4 into eight 16-bit groups.
  let groups = text;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(groups);
  if (dotted) {
    const v4 = parseIp(dotted[1]!)!.value;
    groups = `${groups.slice(0, -dotted[1]!.length)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head = '', tail] = groups.split('::');
  const left = head ? head.split(':') : [];
  const right = tail === undefined ? [] : tail ? tail.split(':') : [];
  const all = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return { family: 6, value: all.reduce((acc, group) => (acc << 16n) | BigInt(parseInt(group, 16)), 0n) };
}

/** `"a.b.c.d/n"` (n 0..32) or `"ipv6/n"` (n 0..128); host bits may be set (the range starts at the network). */
function cidrMatcher(arg: unknown, owner: string, where: string): (value: Scalar) => boolean {
  const bad = () => new EventPatternError(owner, `${where} needs an IPv4 or IPv6 CIDR block such as "10.0.0.0/24" or "2001:db8::/32", got ${JSON.stringify(arg)}`);
  if (typeof arg !== 'string') throw bad();
  const parts = arg.split('/');
  if (parts.length !== 2 || !/^\d{1,3}$/.test(parts[1]!)) throw bad();
  const ip = parseIp(parts[0]!);
  const bits = Number(parts[1]);
  if (!ip || bits > (ip.family === 4 ? 32 : 128)) throw bad();
  const width = BigInt(ip.family === 4 ? 32 : 128);
  const hostBits = width - BigInt(bits);
  const network = (ip.value >> hostBits) << hostBits;
  return (value) => {
    if (typeof value !== 'string') return false;
    const candidate = parseIp(value);
    return candidate !== undefined && candidate.family === ip.family && candidate.value >> hostBits === network >> hostBits;
  };
}

/**
 * `anything-but`: a string or number, a list of only strings or only numbers, or one of
 * `{"prefix"|"suffix": non-empty string(s)}`, `{"equals-ignore-case": string(s)}`, `{"wildcard": string(s)}`.
 * Matches any present leaf that is not excluded (JsonRuleCompiler's rules).
 */
function anythingBut(arg: unknown, owner: string, where: string): (value: Scalar) => boolean {
  const bad = (why: string) => new EventPatternError(owner, `${where}: ${why}`);
  let excluded: (value: Scalar) => boolean;
  if (typeof arg === 'string') excluded = (value) => value === arg;
  else if (typeof arg === 'number') {
    assertComparable(arg, owner, where);
    excluded = (value) => value === arg;
  } else if (Array.isArray(arg)) {
    const strings = arg.every((v) => typeof v === 'string');
    const numbers = arg.every((v) => typeof v === 'number');
    if (arg.length === 0 || (!strings && !numbers)) throw bad('a list must hold only strings or only numbers (and at least one)');
    if (numbers) for (const n of arg as number[]) assertComparable(n, owner, where);
    const set = new Set<Scalar>(arg as Scalar[]);
    excluded = (value) => set.has(value);
  } else if (isObject(arg)) {
    const keys = Object.keys(arg);
    if (keys.length !== 1) throw bad(`needs exactly one of prefix, suffix, equals-ignore-case, wildcard: ${JSON.stringify(arg)}`);
    const op = keys[0]!;
    const inner = arg[op];
    const list = Array.isArray(inner) ? inner : [inner];
    if (list.length === 0 || !list.every((v) => typeof v === 'string')) throw bad(`"${op}" inside anything-but needs a string or a list of strings`);
    const texts = list as string[];
    switch (op) {
      case 'prefix':
      case 'suffix': {
        if (texts.some((t) => t === '')) throw bad(`an empty ${op} is not allowed inside anything-but`);
        excluded = (value) => typeof value === 'string' && texts.some((t) => (op === 'prefix' ? value.startsWith(t) : value.endsWith(t)));
        break;
      }
      case 'equals-ignore-case': {
        const folded = new Set(texts.map(fold));
        excluded = (value) => typeof value === 'string' && folded.has(fold(value));
        break;
      }
      case 'wildcard': {
        const res = texts.map((t) => wildcardRegExp(t, owner, where));
        excluded = (value) => typeof value === 'string' && res.some((re) => re.test(value));
        break;
      }
      default:
        throw bad(`unsupported operator "anything-but/${op}"`);
    }
  } else {
    throw bad(`needs a string, a number, a list of them, or an operator object; got ${JSON.stringify(arg)}`);
  }
  return (value) => !excluded(value);
}

// ---------------------------------------------------------------------------------------------------
// Event -> leaves by dotted path; matching with array consistency.

/** One event is matched against every rule of its bus: it is flattened once (events are not mutated while routed). */
const FLATTENED = new WeakMap<object, ReadonlyMap<string, EventLeaf[]>>();

function leavesOf(event: unknown): ReadonlyMap<string, EventLeaf[]> {
  if (typeof event !== 'object' || event === null) return flatten(event);
  const cached = FLATTENED.get(event);
  if (cached) return cached;
  const leaves = flatten(event);
  FLATTENED.set(event, leaves);
  return leaves;
}

function flatten(event: unknown): ReadonlyMap<string, EventLeaf[]> {
  const leaves = new Map<string, EventLeaf[]>();
  let nextArray = 0;
  const walk = (value: unknown, path: string, arrays: ReadonlyMap<number, number>) => {
    if (Array.isArray(value)) {
      const id = nextArray++;
      for (const [index, item] of value.entries()) walk(item, path, new Map([...arrays, [id, index]]));
    } else if (isObject(value)) {
      for (const [key, child] of Object.entries(value)) walk(child, path ? `${path}.${key}` : key, arrays);
    } else if (path && (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')) {
      const list = leaves.get(path);
      if (list) list.push({ value, arrays });
      else leaves.set(path, [{ value, arrays }]);
    }
  };
  if (isObject(event)) walk(event, '', new Map());
  return leaves;
}

/** Two leaves can belong to one match unless they sit in different elements of the same array. */
function consistent(leaf: EventLeaf, chosen: readonly EventLeaf[]): boolean {
  for (const other of chosen) {
    for (const [array, index] of leaf.arrays) {
      const otherIndex = other.arrays.get(array);
      if (otherIndex !== undefined && otherIndex !== index) return false;
    }
  }
  return true;
}

function matchSubRule(fields: readonly FieldMatcher[], leaves: ReadonlyMap<string, EventLeaf[]>): boolean {
  const candidates = fields.map((field) => (field.hasPresent ? (leaves.get(field.path) ?? []).filter((leaf) => field.test(leaf.value)) : []));
  // Most selective fields first: fewer branches to explore.
  const order = fields.map((_, i) => i).sort((a, b) => candidates[a]!.length - candidates[b]!.length);
  const absent: string[] = [];
  const search = (at: number, chosen: EventLeaf[]): boolean => {
    if (at === order.length) return absent.every((path) => !(leaves.get(path) ?? []).some((leaf) => consistent(leaf, chosen)));
    const i = order[at]!;
    for (const leaf of candidates[i]!) {
      if (consistent(leaf, chosen) && search(at + 1, [...chosen, leaf])) return true;
    }
    if (fields[i]!.absentMatches) {
      absent.push(fields[i]!.path);
      const found = search(at + 1, chosen);
      absent.pop();
      if (found) return true;
    }
    return false;
  };
  return search(0, []);
}
