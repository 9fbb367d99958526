import { existsSync, readFileSync } from 'node:fs';
import { readRequestSchema } from '../../../lambdas/shared/http/requests/readRequestSchema.js';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../../lambdas/hiring/routes.js';
import { generateRequestValidators } from '../../../scripts/http-schemas-build.js';

const REQUESTS = join(import.meta.dirname, '../../../lambdas/hiring/requests');
/** Keywords API Gateway models (draft-04) understand, plus annotations. */
const ALLOWED = new Set([
  'type', 'properties', 'required', 'additionalProperties', 'minLength', 'maxLength', 'pattern', 'enum', 'minimum', 'maximum', 'minProperties',
  '$schema', 'title', 'description',
]);

function keywordsOf(schema: Record<string, unknown>, found = new Set<string>()): Set<string> {
  for (const [keyword, value] of Object.entries(schema)) {
    found.add(keyword);
    if (keyword === 'properties') for (const sub of Object.values(value as Record<string, Record<string, unknown>>)) keywordsOf(sub, found);
  }
  return found;
}

describe('hiring ROUTES and request schemas', () => {
  const withBody = ROUTES.filter((r): r is Extract<(typeof ROUTES)[number], { body: string }> => 'body' in r);

  it('names a request schema file for every route with a body, using draft-04 keywords only', () => {
    for (const route of withBody) {
      const file = join(REQUESTS, route.body);
      expect(existsSync(file), file).toBe(true);
      const schema = readRequestSchema(file); // as the API Gateway model gets it: shared text rules inlined
      expect([...keywordsOf(schema)].filter((k) => !ALLOWED.has(k)), route.body).toEqual([]);
      expect(schema.additionalProperties, route.body).toBe(false);
    }
  });

  it('has every POST and PUT taking a body, and no duplicate route', () => {
    expect(ROUTES.filter((r) => r.method !== 'GET').every((r) => 'body' in r)).toBe(true);
    expect(new Set(ROUTES.map((r) => `${r.method} ${r.path}`)).size).toBe(ROUTES.length);
  });

  it('has committed validators generated from the current schemas', () => {
    for (const file of generateRequestValidators([REQUESTS])) {
      expect(readFileSync(file.path, 'utf8'), `${file.path} is stale: run tsx scripts/http-schemas-build.ts lambdas/hiring/requests`).toBe(file.text);
    }
  });
});
