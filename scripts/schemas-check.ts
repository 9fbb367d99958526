/**
 * `npm run schemas:check` — the schema gate. Fails (exit 1) when a published schema changed,
 * a new schema is not locked, a schema does not pin its name/version/title, uses a keyword
 * draft-04 does not know, does not compile, or the generated registry files are stale.
 * Prints version-to-version compatibility for information.
 *
 * `npm run schemas:check -- --update-lock` adds lock entries for new schema files (only).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatReport, runGate } from './schema-gate/runGate.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const report = await runGate({
  schemasDir: join(root, 'schemas'),
  generatedDir: join(root, 'lambdas', 'shared', 'registry', 'generated'),
  updateLock: process.argv.includes('--update-lock'),
});
console.log(formatReport(report));
process.exitCode = report.ok ? 0 : 1;
