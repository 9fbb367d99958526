import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One published event schema version, as read from `schemas/<EventName>/<version>.json`. */
export interface SchemaFile {
  readonly eventName: string;
  readonly version: string;
  readonly content: Record<string, unknown>;
}

export const SCHEMAS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'schemas');

/** Every schema version in the repository, sorted by event name then numeric version. */
export function readSchemaCatalog(dir: string = SCHEMAS_DIR): SchemaFile[] {
  const files: SchemaFile[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    for (const file of readdirSync(join(dir, entry.name))) {
      const match = /^(\d+)\.json$/.exec(file);
      if (!match) continue;
      const content = JSON.parse(readFileSync(join(dir, entry.name, file), 'utf8')) as Record<string, unknown>;
      files.push({ eventName: entry.name, version: match[1]!, content });
    }
  }
  return files.sort((a, b) => a.eventName.localeCompare(b.eventName) || Number(a.version) - Number(b.version));
}
