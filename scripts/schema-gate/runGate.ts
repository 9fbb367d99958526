import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkCompiles } from './checkCompiles.js';
import { checkGenerated } from './checkGenerated.js';
import { checkKeywords } from './checkKeywords.js';
import { checkLock, formatLock, mergeLock, parseLock, type SchemaLock } from './checkLock.js';
import { checkContiguous, checkPinning } from './checkPinning.js';
import { compareAllVersions } from './compatibility.js';
import { loadSchemas } from './loadSchemas.js';
import type { CompatibilityResult, GateIssue } from './types.js';

export interface GateOptions {
  /** Folder holding `<EventName>/<version>.json` and `schemas.lock.json`. */
  readonly schemasDir: string;
  /** Folder of the committed generated files; omit to skip that check. */
  readonly generatedDir?: string;
  /** Add lock entries for new schema files (never rewrites existing entries). */
  readonly updateLock?: boolean;
}

export interface GateReport {
  readonly ok: boolean;
  readonly checked: string[];
  readonly issues: GateIssue[];
  readonly compatibility: CompatibilityResult[];
  /** Lock keys added by this run (`updateLock`). */
  readonly addedToLock: string[];
  readonly retired: string[];
}

export const LOCK_FILE = 'schemas.lock.json';

/** Runs every check of the schema gate. Never throws for a schema problem: it reports it. */
export async function runGate(options: GateOptions): Promise<GateReport> {
  const { schemas, issues } = loadSchemas(options.schemasDir);
  const lockPath = join(options.schemasDir, LOCK_FILE);
  let lock: SchemaLock = {};
  if (existsSync(lockPath)) {
    try {
      lock = parseLock(readFileSync(lockPath, 'utf8'));
    } catch (error) {
      issues.push({ check: 'lock', subject: LOCK_FILE, message: (error as Error).message });
    }
  }
  const lockResult = checkLock(schemas, lock, options.updateLock === true);
  issues.push(...lockResult.issues);
  for (const s of schemas) {
    issues.push(...checkPinning(s), ...checkKeywords(s), ...checkCompiles(s));
  }
  issues.push(...checkContiguous(schemas, lockResult.retired));
  if (options.generatedDir !== undefined) issues.push(...checkGenerated(schemas, options.generatedDir));
  let compatibility: CompatibilityResult[] = [];
  try {
    compatibility = await compareAllVersions(schemas);
  } catch (error) {
    // Informational only: a diff failure is reported, not fatal.
    compatibility = [];
    issues.push({ check: 'compile', subject: 'compatibility', message: `json-schema-diff failed: ${(error as Error).message}` });
  }
  // Publish (lock) new schemas only when everything else passes: a broken schema is never locked.
  let addedToLock: string[] = [];
  const pending = Object.keys(lockResult.newEntries);
  if (options.updateLock === true && pending.length > 0) {
    if (issues.length === 0) {
      addedToLock = pending;
      writeFileSync(lockPath, formatLock(mergeLock(lock, lockResult.newEntries)));
    } else {
      issues.push({ check: 'lock', subject: LOCK_FILE, message: `not updated (${pending.join(', ')}): fix the problems above first` });
    }
  }
  return {
    ok: issues.length === 0,
    checked: schemas.map((s) => s.key),
    issues,
    compatibility,
    addedToLock,
    retired: lockResult.retired,
  };
}

/** Human-readable report of a gate run. */
export function formatReport(report: GateReport): string {
  const lines: string[] = [];
  lines.push(`schemas:check: ${report.checked.length} schema file(s): ${report.checked.join(', ') || '(none)'}`);
  if (report.addedToLock.length > 0) lines.push(`lock: added ${report.addedToLock.join(', ')}`);
  if (report.retired.length > 0) lines.push(`lock: retired (locked, file removed): ${report.retired.join(', ')}`);
  if (report.compatibility.length > 0) {
    lines.push('', 'compatibility (informational; the event_version pin is ignored):');
    for (const c of report.compatibility) {
      lines.push(
        `  ${c.name} v${c.from} -> v${c.to}: backward ${c.backward ? 'yes' : 'NO'} (v${c.to} consumers read v${c.from}), forward ${c.forward ? 'yes' : 'NO'} (v${c.from} consumers read v${c.to})`,
      );
      for (const note of c.notes) lines.push(`    - ${note}`);
    }
  }
  lines.push('');
  if (report.ok) {
    lines.push('OK: lock, pinning, draft-04 keywords, compilation and generated files all pass.');
  } else {
    lines.push(`FAILED: ${report.issues.length} problem(s):`);
    for (const issue of report.issues) lines.push(`  [${issue.check}] ${issue.subject}: ${issue.message}`);
  }
  return lines.join('\n');
}
