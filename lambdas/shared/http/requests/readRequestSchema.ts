/**
 * Request schemas as the API Gateway models and other readers need them: self-contained.
 *
 * The request schemas (`lambdas/<service>/requests/*.json`) share their text rules through
 * `"allOf": [{ "$ref": "text.json#/definitions/line" }]` (this folder's `text.json`), which ajv resolves
 * when `scripts/http-schemas-build.ts` compiles the validators. An API Gateway model cannot point at a
 * file, so {@link readRequestSchema} inlines each such reference: the definition's keywords join the
 * field's own (`pattern` beside `type`, `minLength`, `maxLength`), which means the same as the `allOf`.
 * Build-time code (CDK, scripts, tests); functions import the generated validators instead.
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

/** Schemas every request schema may reference, by the file name a `$ref` uses. */
export const SHARED_REQUEST_SCHEMA_FILES: readonly string[] = [join(import.meta.dirname, 'text.json')];

type Schema = Record<string, unknown>;

const shared = new Map<string, Schema>();
function sharedSchema(name: string): Schema | undefined {
  if (!shared.has(name)) {
    const file = SHARED_REQUEST_SCHEMA_FILES.find((f) => basename(f) === name);
    if (file) shared.set(name, JSON.parse(readFileSync(file, 'utf8')) as Schema);
  }
  return shared.get(name);
}

/** `text.json#/definitions/line` -> that definition, or undefined when the reference is not to a shared schema. */
function resolveShared(ref: string): Schema | undefined {
  const [file = '', pointer = ''] = ref.split('#');
  const root = sharedSchema(file);
  if (!root) return undefined;
  const target = pointer.split('/').filter(Boolean).reduce<unknown>((node, key) => (node as Schema | undefined)?.[key], root);
  if (typeof target !== 'object' || target === null) throw new Error(`${ref}: no such definition`);
  return target as Schema;
}

/** Inlines references to the shared schemas, throughout `schema` (a copy; the input is unchanged). */
export function inlineSharedRefs(schema: unknown, where = 'schema'): unknown {
  if (Array.isArray(schema)) return schema.map((item, i) => inlineSharedRefs(item, `${where}[${i}]`));
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema)) out[key] = inlineSharedRefs(value, `${where}.${key}`);
  if (!Array.isArray(out.allOf)) return out;
  const kept: unknown[] = [];
  for (const part of out.allOf) {
    const ref = (part as Schema | null)?.$ref;
    const definition = typeof ref === 'string' && Object.keys(part as Schema).length === 1 ? resolveShared(ref) : undefined;
    if (!definition) {
      kept.push(part);
      continue;
    }
    for (const [key, value] of Object.entries(definition)) {
      if (key === 'description' || key === 'title') continue;
      if (key in out && JSON.stringify(out[key]) !== JSON.stringify(value)) throw new Error(`${where}: "${key}" is set both here and by ${ref}`);
      out[key] = value;
    }
  }
  if (kept.length) out.allOf = kept;
  else delete out.allOf;
  return out;
}

/**
 * Reads a request schema file with its references to the shared text rules inlined.
 *
 * @example
 * ```ts
 * api.addModel('CreateManager', { schema: readRequestSchema('lambdas/tasks/requests/create-manager.json') });
 * ```
 */
export function readRequestSchema(file: string): Schema {
  return inlineSharedRefs(JSON.parse(readFileSync(file, 'utf8')), basename(file)) as Schema;
}
