import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GateIssue, SchemaFile } from './types.js';

const VERSION_FILE = /^(0|[1-9]\d*)\.json$/;
const EVENT_FOLDER = /^[A-Z][A-Za-z0-9]*$/;

/** sha256 (hex) of a schema file's exact bytes, as stored in `schemas.lock.json`. */
export function sha256(content: string): string {
  return createHash('sha256').update(content, 'utf8').digest('hex');
}

/**
 * Reads every `schemas/<EventName>/<version>.json`, sorted by name then numeric version.
 * Files that do not fit the layout or do not parse are reported as issues, not thrown.
 */
export function loadSchemas(schemasDir: string): { schemas: SchemaFile[]; issues: GateIssue[] } {
  const schemas: SchemaFile[] = [];
  const issues: GateIssue[] = [];
  if (!existsSync(schemasDir)) {
    return { schemas, issues: [{ check: 'layout', subject: schemasDir, message: 'schemas folder does not exist' }] };
  }
  for (const entry of readdirSync(schemasDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const name = entry.name;
    if (!EVENT_FOLDER.test(name)) {
      issues.push({ check: 'layout', subject: name, message: 'event folder names are PascalCase event names' });
      continue;
    }
    for (const file of readdirSync(join(schemasDir, name))) {
      const match = VERSION_FILE.exec(file);
      const key = `${name}/${file}`;
      if (!match) {
        issues.push({ check: 'layout', subject: key, message: 'expected only <version>.json files (0.json, 1.json, ...)' });
        continue;
      }
      const version = match[1]!;
      const path = join(schemasDir, name, file);
      const content = readFileSync(path, 'utf8');
      let schema: unknown;
      try {
        schema = JSON.parse(content);
      } catch (error) {
        issues.push({ check: 'layout', subject: `${name}/${version}`, message: `not valid JSON: ${(error as Error).message}` });
        continue;
      }
      if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
        issues.push({ check: 'layout', subject: `${name}/${version}`, message: 'a schema file must hold a JSON object' });
        continue;
      }
      schemas.push({ name, version, key: `${name}/${version}`, path, content, schema: schema as Record<string, unknown> });
    }
  }
  schemas.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : Number(a.version) - Number(b.version)));
  return { schemas, issues };
}
