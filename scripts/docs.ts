/**
 * `npm run docs` — the event and API catalog: `docs/asyncapi.yaml` (AsyncAPI 3.0), `docs/openapi.yaml`
 * (OpenAPI 3.1) and `docs/index.html` (a static page that opens from disk), generated from
 * `schemas/`, the route declarations and request schemas, the migration plan and the app
 * synthesized in process.
 *
 * Usage: `npm run docs -- [-c key=value ...] [--out DIR] [--check]`
 *   -c, --context key=value  CDK context, like `cdk synth -c` (e.g. `-c migration.task-created-v1=6`)
 *   --out DIR                where to write (default `docs/`)
 *   --check                  write nothing; exit 1 naming every file that differs (npm test runs this)
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildCatalog, parseContext, renderCatalog } from './docs/buildCatalog.js';

const { values } = parseArgs({
  options: {
    context: { type: 'string', short: 'c', multiple: true, default: [] },
    out: { type: 'string', default: 'docs' },
    check: { type: 'boolean', default: false },
  },
});

try {
  const started = Date.now();
  const catalog = buildCatalog(parseContext(values.context));
  const out = resolve(values.out);
  const stale: string[] = [];
  for (const file of renderCatalog(catalog)) {
    const path = join(out, file.name);
    if (existsSync(path) && readFileSync(path, 'utf8') === file.text) continue;
    stale.push(relative(process.cwd(), path));
    if (!values.check) {
      mkdirSync(out, { recursive: true });
      writeFileSync(path, file.text);
    }
  }
  const steps = catalog.final ? 'every link at its final step' : Object.entries(catalog.steps).map(([k, v]) => `${k}=${v}`).join(' ');
  if (values.check) {
    for (const path of stale) console.log(`stale ${path}`);
    if (stale.length > 0) {
      console.log('The catalog differs from what the sources generate: run `npm run docs` and commit docs/.');
      process.exitCode = 1;
    } else console.log(`docs/ is up to date (${steps}; ${Date.now() - started} ms)`);
  } else {
    for (const path of stale) console.log(`wrote ${path}`);
    console.log(`Catalog of ${steps} in ${relative(process.cwd(), out) || '.'}/ (${stale.length} changed, ${Date.now() - started} ms): open ${relative(process.cwd(), join(out, 'index.html'))} in a browser`);
  }
} catch (error) {
  console.error(`npm run docs: ${(error as Error).message}`);
  process.exitCode = 1;
}
