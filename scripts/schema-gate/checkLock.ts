import { sha256 } from './loadSchemas.js';
import type { GateIssue, SchemaFile } from './types.js';

/** `schemas/schemas.lock.json`: `Name/version` -> sha256 (hex) of the published file. */
export type SchemaLock = Record<string, string>;

export interface LockCheckResult {
  readonly issues: GateIssue[];
  /** Entries for files not yet in the lock (what `--update-lock` would add). */
  readonly newEntries: SchemaLock;
  /** Locked versions whose file is gone (retired after a migration); informational. */
  readonly retired: string[];
}

/**
 * Compares the schema files with the lock. A locked file whose content changed fails
 * (published schemas never change); a file missing from the lock fails with the hint to run
 * `npm run schemas:check -- --update-lock`, unless `allowNew` is set (that run adds them).
 */
export function checkLock(schemas: readonly SchemaFile[], lock: SchemaLock, allowNew = false): LockCheckResult {
  const issues: GateIssue[] = [];
  const newEntries: SchemaLock = {};
  for (const s of schemas) {
    const hash = sha256(s.content);
    const locked = Object.hasOwn(lock, s.key) ? lock[s.key] : undefined;
    if (locked === undefined) {
      newEntries[s.key] = hash;
      if (!allowNew) {
        issues.push({
          check: 'lock',
          subject: s.key,
          message: 'new schema is not in schemas/schemas.lock.json: run `npm run schemas:check -- --update-lock` to publish it',
        });
      }
    } else if (locked !== hash) {
      issues.push({
        check: 'lock',
        subject: s.key,
        message: `content changed since it was published (lock sha256 ${locked.slice(0, 12)}..., file ${hash.slice(0, 12)}...): published schemas never change: add a new version`,
      });
    }
  }
  const present = new Set(schemas.map((s) => s.key));
  const retired = Object.keys(lock).filter((k) => !present.has(k)).sort();
  return { issues, newEntries, retired };
}

/** The lock with `newEntries` added; existing entries are kept exactly as they were. */
export function mergeLock(lock: SchemaLock, newEntries: SchemaLock): SchemaLock {
  const merged: SchemaLock = { ...lock };
  for (const [key, hash] of Object.entries(newEntries)) {
    if (!Object.hasOwn(merged, key)) merged[key] = hash;
  }
  return Object.fromEntries(Object.entries(merged).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Parses lock file text; throws with a readable message when malformed. */
export function parseLock(text: string): SchemaLock {
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error('schemas.lock.json must be a JSON object of "Name/version": "sha256"');
  }
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value !== 'string' || !/^[0-9a-f]{64}$/.test(value)) {
      throw new Error(`schemas.lock.json: entry ${key} must be a sha256 hex string`);
    }
  }
  return parsed as SchemaLock;
}

export function formatLock(lock: SchemaLock): string {
  return `${JSON.stringify(lock, null, 2)}\n`;
}
