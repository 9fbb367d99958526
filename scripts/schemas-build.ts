/**
 * `npm run schemas:build` — compiles schemas/**\/*.json ahead of time into
 * lambdas/shared/registry/generated/ (ajv standalone validators + their .d.ts, and the
 * TypeScript event types). Commit the output; `npm run schemas:check` fails when it is stale.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateAll } from './schema-gate/checkGenerated.js';
import { loadSchemas } from './schema-gate/loadSchemas.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { schemas, issues } = loadSchemas(join(root, 'schemas'));
if (issues.length > 0) {
  for (const issue of issues) console.error(`${issue.subject}: ${issue.message}`);
  process.exit(1);
}
const outDir = join(root, 'lambdas', 'shared', 'registry', 'generated');
mkdirSync(outDir, { recursive: true });
for (const [file, text] of Object.entries(generateAll(schemas))) {
  writeFileSync(join(outDir, file), text);
  console.log(`wrote lambdas/shared/registry/generated/${file}`);
}
