import { createAjv } from './ajvFactory.js';
import type { GateIssue, SchemaFile } from './types.js';

/** Compiles the schema with the registry's Ajv settings (strict mode, all formats). */
export function checkCompiles(file: SchemaFile): GateIssue[] {
  try {
    createAjv().compile(file.schema);
    return [];
  } catch (error) {
    return [{ check: 'compile', subject: file.key, message: `ajv cannot compile it: ${(error as Error).message}` }];
  }
}
