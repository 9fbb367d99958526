import type { ErrorObject } from 'ajv';

/**
 * Turns the first ajv error into the API's `{field, message}`: `field` is a dotted path from `root`
 * (`body.items[0].name`) so a client can point at the input, `message` reads as a sentence.
 * With the validated `data`, a value refused by the shared text rules (`text.json`) is explained:
 * which character is not allowed and where, or that there is no visible character.
 *
 * @example
 * ```ts
 * formatValidationError({ instancePath: '/rating', keyword: 'maximum', params: { limit: 5 }, message: 'must be <= 5', schemaPath: '' });
 * // -> { field: 'body.rating', message: 'rating must be <= 5' }
 * ```
 */
export function formatValidationError(
  error: ErrorObject | undefined,
  root = 'body',
  data?: unknown,
): { field: string; message: string } {
  if (!error) return { field: root, message: `${root} is invalid` };
  const path = root + pointerToPath(error.instancePath);
  if (error.keyword === 'pattern' && error.schemaPath.startsWith('text.json#')) {
    const value = valueAt(data, error.instancePath);
    if (typeof value === 'string') return { field: path, message: `${lastSegment(path)} ${describeRefusedText(value, String(error.params.pattern))}` };
  }
  switch (error.keyword) {
    case 'required': {
      const field = `${path}.${String(error.params.missingProperty)}`;
      return { field, message: `missing required field ${field}` };
    }
    case 'additionalProperties': {
      const field = `${path}.${String(error.params.additionalProperty)}`;
      return { field, message: `unexpected field ${field}` };
    }
    case 'enum': {
      const allowed = (error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ');
      return { field: path, message: `${lastSegment(path)} must be one of ${allowed}` };
    }
    default:
      return { field: path, message: `${lastSegment(path)} ${error.message ?? 'is invalid'}` };
  }
}

/** What a text rule refused in `value`: the first character the rule does not allow, else the lack of a visible one. */
function describeRefusedText(value: string, pattern: string): string {
  const rule = new RegExp(pattern, 'u');
  let position = 0;
  for (const character of value) {
    position += 1;
    // Beside a visible character, only the character itself can make the rule fail.
    if (!rule.test(`x${character}`)) {
      const code = character.codePointAt(0)!;
      return `contains ${codePoint(code)} (${characterKind(code)}) at character ${position}, which is not allowed`;
    }
  }
  return 'must contain a visible character (not only spaces, zero-width or other invisible characters)';
}

function codePoint(code: number): string {
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Words for the kinds of characters the shared text rules refuse. */
function characterKind(code: number): string {
  if (code === 0x0a || code === 0x0d || code === 0x2028 || code === 0x2029) return 'a line break';
  if (code <= 0x1f || (code >= 0x7f && code <= 0x9f)) return 'a control character';
  if (code >= 0xd800 && code <= 0xdfff) return 'half of a surrogate pair, not a character';
  if ((code >= 0xfdd0 && code <= 0xfdef) || (code & 0xfffe) === 0xfffe) return 'a Unicode noncharacter';
  if ((code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069)) return 'a bidirectional override';
  return 'a character this field does not take';
}

/** The value at a JSON pointer (`/items/0/name`) inside `data`. */
function valueAt(data: unknown, pointer: string): unknown {
  if (pointer === '') return data;
  return pointer
    .slice(1)
    .split('/')
    .map((raw) => raw.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, key) => (typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined), data);
}

/** `/items/0/a~1b` -> `.items[0].a/b` (JSON pointer unescaping per RFC 6901). */
function pointerToPath(pointer: string): string {
  if (pointer === '') return '';
  return pointer
    .slice(1)
    .split('/')
    .map((raw) => raw.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((segment) => (/^\d+$/.test(segment) ? `[${segment}]` : `.${segment}`))
    .join('');
}

/** `body.items[0].name` -> `name`; `body.items[0]` -> `items[0]`. */
function lastSegment(path: string): string {
  const dot = path.lastIndexOf('.');
  return dot === -1 ? path : path.slice(dot + 1);
}
