import type { GateIssue, SchemaFile } from './types.js';

/**
 * Keywords draft-04 and draft-07 both know with the same meaning. `exclusiveMinimum` /
 * `exclusiveMaximum` are left out on purpose (boolean in draft-04, number in draft-07), and
 * so are `id`/`$id` (renamed between drafts). EventBridge Schema Registry stores
 * `JSONSchemaDraft4`, so anything outside this list could be rejected or read differently.
 */
export const DRAFT_04_KEYWORDS: ReadonlySet<string> = new Set([
  '$schema', '$ref', 'title', 'description', 'default', 'definitions',
  'type', 'enum', 'allOf', 'anyOf', 'oneOf', 'not',
  'multipleOf', 'maximum', 'minimum',
  'maxLength', 'minLength', 'pattern', 'format',
  'items', 'additionalItems', 'maxItems', 'minItems', 'uniqueItems',
  'maxProperties', 'minProperties', 'required', 'properties', 'patternProperties',
  'additionalProperties', 'dependencies',
]);

/** `format` values defined by draft-04. */
export const DRAFT_04_FORMATS: ReadonlySet<string> = new Set(['date-time', 'email', 'hostname', 'ipv4', 'ipv6', 'uri']);

const SCHEMA_MAPS = ['properties', 'patternProperties', 'definitions'];
const SCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf'];

/** Walks a schema and returns every use of a keyword (or value) draft-04 does not know. */
export function findNonDraft04(schema: unknown, path = '#'): string[] {
  const found: string[] = [];
  const walk = (node: unknown, at: string) => {
    if (typeof node === 'boolean') {
      found.push(`${at}: boolean schema (${String(node)}) is not draft-04`);
      return;
    }
    if (typeof node !== 'object' || node === null || Array.isArray(node)) {
      found.push(`${at}: a schema must be an object`);
      return;
    }
    const obj = node as Record<string, unknown>;
    for (const [key, value] of Object.entries(obj)) {
      const here = `${at}/${key}`;
      if (!DRAFT_04_KEYWORDS.has(key)) {
        found.push(`${here}: keyword "${key}" is not draft-04`);
        continue;
      }
      if (key === '$schema' && at !== '#') found.push(`${here}: $schema only at the root`);
      if (key === '$ref' && (typeof value !== 'string' || !value.startsWith('#/definitions/'))) {
        found.push(`${here}: only local "#/definitions/..." references are allowed`);
      }
      if (key === 'format' && (typeof value !== 'string' || !DRAFT_04_FORMATS.has(value))) {
        found.push(`${here}: format ${JSON.stringify(value)} is not a draft-04 format`);
      }
      if (key === 'required' && (!Array.isArray(value) || value.length === 0)) {
        found.push(`${here}: draft-04 needs a non-empty required array (omit it instead)`);
      }
      if (SCHEMA_MAPS.includes(key) && typeof value === 'object' && value !== null) {
        for (const [k, sub] of Object.entries(value)) walk(sub, `${here}/${k}`);
      } else if (SCHEMA_LISTS.includes(key) && Array.isArray(value)) {
        for (const [i, sub] of value.entries()) walk(sub, `${here}/${i}`);
      } else if (key === 'not') {
        walk(value, here);
      } else if (key === 'items') {
        if (Array.isArray(value)) for (const [i, sub] of value.entries()) walk(sub, `${here}/${i}`);
        else walk(value, here);
      } else if ((key === 'additionalProperties' || key === 'additionalItems') && typeof value !== 'boolean') {
        walk(value, here);
      } else if (key === 'dependencies' && typeof value === 'object' && value !== null) {
        for (const [k, sub] of Object.entries(value)) if (!Array.isArray(sub)) walk(sub, `${here}/${k}`);
      }
    }
  };
  walk(schema, path);
  return found;
}

export function checkKeywords(file: SchemaFile): GateIssue[] {
  return findNonDraft04(file.schema).map((message) => ({ check: 'keywords' as const, subject: file.key, message }));
}
