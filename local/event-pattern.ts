/**
 * EventBridge / Lambda event-filter content matching.
 *
 * `compileEventPattern(pattern, name)` validates a pattern once (throwing on an unsupported operator,
 * naming the rule or mapping) and returns a fast predicate.
 *
 * Semantics (as documented by AWS for event patterns):
 * - a pattern is an object; every key must match (AND); leaf values are arrays of alternatives (OR);
 * - nested objects descend into the event; `$or` takes an array of sub-patterns;
 * - when the event value is an array, the leaf matches when any element matches;
 * - matchers: exact value (string, number, boolean, null), `prefix`, `suffix` (both also with
 *   `equals-ignore-case`), `anything-but` (value, list, `prefix`, `suffix`, `equals-ignore-case`, `wildcard`),
 *   `numeric` (`=`, `<`, `<=`, `>`, `>=`, up to a lower and an upper bound), `exists`, `equals-ignore-case`,
 *   `wildcard` (`*`, `\*` escapes a star), `cidr` (IPv4).
 * - a missing field only matches `{"exists": false}`.
 *
 * @example
 * const match = compileEventPattern({ source: ['hiring'], detail: { amount: [{ numeric: ['>', 0] }] } }, 'MyRule');
 * match({ source: 'hiring', detail: { amount: 5 } }); // true
 */
export type EventMatcher = (event: unknown) => boolean;

export class EventPatternError extends Error {
  constructor(owner: string, message: string) {
    super(`Event pattern of ${owner}: ${message}`);
    this.name = 'EventPatternError';
  }
}

type Leaf = (value: unknown, present: boolean) => boolean;

const MISSING = Symbol('missing');

export function compileEventPattern(pattern: unknown, owner: string): EventMatcher {
  const parsed = typeof pattern === 'string' ? parseJson(pattern, owner) : pattern;
  if (!isObject(parsed)) throw new EventPatternError(owner, 'the pattern must be a JSON object');
  const node = compileObject(parsed, owner, '');
  return (event) => node(event);
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

type Node = (value: unknown) => boolean;

function compileObject(pattern: Record<string, unknown>, owner: string, path: string): Node {
  const checks: Node[] = [];
  for (const [key, sub] of Object.entries(pattern)) {
    const here = path ? `${path}.${key}` : key;
    if (key === '$or') {
      if (!Array.isArray(sub) || sub.length < 2 || !sub.every(isObject)) {
        throw new EventPatternError(owner, `"$or" at ${path || '<root>'} needs an array of at least two objects`);
      }
      const alternatives = sub.map((alt) => compileObject(alt, owner, path));
      checks.push((value) => alternatives.some((alt) => alt(value)));
    } else if (Array.isArray(sub)) {
      const leaf = compileLeaf(sub, owner, here);
      checks.push((value) => {
        const field = isObject(value) && Object.hasOwn(value, key) ? value[key] : MISSING;
        return matchLeafValue(leaf, field);
      });
    } else if (isObject(sub)) {
      const nested = compileObject(sub, owner, here);
      checks.push((value) => {
        const field = isObject(value) ? value[key] : undefined;
        // A nested pattern applies to an object, or to any object of an array of objects.
        if (Array.isArray(field)) return field.some((item) => nested(item));
        return nested(isObject(field) ? field : undefined);
      });
    } else {
      throw new EventPatternError(owner, `value at "${here}" must be an array of matchers or an object, got ${JSON.stringify(sub)}`);
    }
  }
  return (value) => checks.every((check) => check(value));
}

function matchLeafValue(leaf: Leaf, field: unknown): boolean {
  if (field === MISSING || field === undefined) return leaf(undefined, false);
  if (Array.isArray(field)) {
    // Matching against an array: any element. An empty array behaves as "present, no value".
    if (field.length === 0) return false;
    return field.some((item) => leaf(item, true));
  }
  return leaf(field, true);
}

function compileLeaf(alternatives: unknown[], owner: string, path: string): Leaf {
  if (alternatives.length === 0) throw new EventPatternError(owner, `empty matcher array at "${path}"`);
  const matchers = alternatives.map((alt) => compileMatcher(alt, owner, path));
  return (value, present) => matchers.some((m) => m(value, present));
}

function compileMatcher(spec: unknown, owner: string, path: string): Leaf {
  if (spec === null || typeof spec === 'string' || typeof spec === 'number' || typeof spec === 'boolean') {
    return (value, present) => present && equalsScalar(value, spec);
  }
  if (!isObject(spec)) throw new EventPatternError(owner, `unsupported matcher ${JSON.stringify(spec)} at "${path}"`);
  const keys = Object.keys(spec);
  if (keys.length !== 1) throw new EventPatternError(owner, `matcher at "${path}" must have exactly one operator: ${JSON.stringify(spec)}`);
  const op = keys[0]!;
  const arg = spec[op];
  const where = `"${op}" at "${path}"`;
  switch (op) {
    case 'prefix':
    case 'suffix': {
      const test = stringTest(op, arg, owner, where);
      return (value, present) => present && typeof value === 'string' && test(value);
    }
    case 'equals-ignore-case': {
      if (typeof arg !== 'string') throw new EventPatternError(owner, `${where} needs a string`);
      const lower = arg.toLowerCase();
      return (value, present) => present && typeof value === 'string' && value.toLowerCase() === lower;
    }
    case 'wildcard': {
      if (typeof arg !== 'string') throw new EventPatternError(owner, `${where} needs a string`);
      const re = wildcardRegExp(arg);
      return (value, present) => present && typeof value === 'string' && re.test(value);
    }
    case 'exists': {
      if (typeof arg !== 'boolean') throw new EventPatternError(owner, `${where} needs true or false`);
      return (value, present) => (arg ? present && value !== undefined : !present);
    }
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

function equalsScalar(value: unknown, expected: string | number | boolean | null): boolean {
  if (typeof expected === 'number' && typeof value === 'number') return value === expected;
  return value === expected;
}

function stringTest(op: 'prefix' | 'suffix', arg: unknown, owner: string, where: string): (value: string) => boolean {
  let text: string;
  let ignoreCase = false;
  if (typeof arg === 'string') text = arg;
  else if (isObject(arg) && Object.keys(arg).length === 1 && typeof arg['equals-ignore-case'] === 'string') {
    text = (arg['equals-ignore-case'] as string).toLowerCase();
    ignoreCase = true;
  } else throw new EventPatternError(owner, `${where} needs a string or {"equals-ignore-case": string}`);
  return (value) => {
    const subject = ignoreCase ? value.toLowerCase() : value;
    return op === 'prefix' ? subject.startsWith(text) : subject.endsWith(text);
  };
}

function wildcardRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\' && pattern[i + 1] === '*') {
      source += '\\*';
      i++;
    } else if (ch === '*') source += '.*';
    else source += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 's');
}

function numericMatcher(arg: unknown, owner: string, where: string): Leaf {
  if (!Array.isArray(arg) || arg.length === 0 || arg.length % 2 !== 0 || arg.length > 4) {
    throw new EventPatternError(owner, `${where} needs [op, number] or [op, number, op, number]`);
  }
  const tests: Array<(n: number) => boolean> = [];
  for (let i = 0; i < arg.length; i += 2) {
    const op = arg[i];
    const bound = arg[i + 1];
    if (typeof bound !== 'number') throw new EventPatternError(owner, `${where}: bound ${JSON.stringify(bound)} is not a number`);
    switch (op) {
      case '=': tests.push((n) => n === bound); break;
      case '<': tests.push((n) => n < bound); break;
      case '<=': tests.push((n) => n <= bound); break;
      case '>': tests.push((n) => n > bound); break;
      case '>=': tests.push((n) => n >= bound); break;
      default: throw new EventPatternError(owner, `${where}: unsupported comparison ${JSON.stringify(op)}`);
    }
  }
  return (value, present) => present && typeof value === 'number' && tests.every((t) => t(value));
}

function cidrMatcher(arg: unknown, owner: string, where: string): Leaf {
  const m = typeof arg === 'string' ? /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(arg) : null;
  if (!m) throw new EventPatternError(owner, `${where} needs an IPv4 CIDR such as "10.0.0.0/24"`);
  const bits = Number(m[2]);
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  const base = (ipv4(m[1]!)! & mask) >>> 0;
  return (value, present) => {
    if (!present || typeof value !== 'string') return false;
    const ip = ipv4(value);
    return ip !== undefined && ((ip & mask) >>> 0) === base;
  };
}

function ipv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((acc, p) => ((acc << 8) | Number(p)) >>> 0, 0);
}

function anythingBut(arg: unknown, owner: string, where: string): Leaf {
  let excluded: (value: unknown) => boolean;
  if (arg === null || typeof arg === 'string' || typeof arg === 'number' || typeof arg === 'boolean') {
    excluded = (value) => value === arg;
  } else if (Array.isArray(arg)) {
    if (!arg.every((v) => typeof v === 'string' || typeof v === 'number')) {
      throw new EventPatternError(owner, `${where}: a list must hold only strings or only numbers`);
    }
    excluded = (value) => arg.includes(value as string | number);
  } else if (isObject(arg) && Object.keys(arg).length === 1) {
    const [op] = Object.keys(arg) as [string];
    const inner = arg[op];
    if (op === 'prefix' || op === 'suffix') {
      const test = stringTest(op, inner, owner, where);
      excluded = (value) => typeof value === 'string' && test(value);
    } else if (op === 'equals-ignore-case') {
      const list = Array.isArray(inner) ? inner : [inner];
      if (!list.every((v) => typeof v === 'string')) throw new EventPatternError(owner, `${where}: equals-ignore-case needs strings`);
      const lowered = list.map((v) => (v as string).toLowerCase());
      excluded = (value) => typeof value === 'string' && lowered.includes(value.toLowerCase());
    } else if (op === 'wildcard') {
      const list = Array.isArray(inner) ? inner : [inner];
      if (!list.every((v) => typeof v === 'string')) throw new EventPatternError(owner, `${where}: wildcard needs strings`);
      const res = list.map((v) => wildcardRegExp(v as string));
      excluded = (value) => typeof value === 'string' && res.some((re) => re.test(value));
    } else {
      throw new EventPatternError(owner, `unsupported operator "anything-but/${op}" at ${where}`);
    }
  } else {
    throw new EventPatternError(owner, `${where}: unsupported argument ${JSON.stringify(arg)}`);
  }
  return (value, present) => present && !excluded(value);
}
