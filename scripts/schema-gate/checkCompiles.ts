import { createAjv } from './ajvFactory.js';
import type { GateIssue, SchemaFile } from './types.js';

/**
 * Why ajv refused a schema, by the schema's JSON (`undefined`: it compiles). A compile takes ~30 ms
 * with a fresh Ajv (formats included) and its outcome depends only on the schema, so a process that
 * runs the gate again (a watch, the gate's tests: one changed file among nine) compiles each
 * distinct schema once.
 */
const compileErrors = new Map<string, string | undefined>();

/** Compiles the schema with the registry's Ajv settings (strict mode, all formats). */
export function checkCompiles(file: SchemaFile): GateIssue[] {
  const text = JSON.stringify(file.schema);
  if (!compileErrors.has(text)) {
    try {
      createAjv().compile(file.schema);
      compileErrors.set(text, undefined);
    } catch (error) {
      compileErrors.set(text, (error as Error).message);
    }
  }
  const error = compileErrors.get(text);
  return error === undefined ? [] : [{ check: 'compile', subject: file.key, message: `ajv cannot compile it: ${error}` }];
}
