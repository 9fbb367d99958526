import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRequestSchema } from '../../../lambdas/shared/http/requests/readRequestSchema.js';
import { generateRequestValidators } from '../../../scripts/http-schemas-build.js';
import { ROUTES } from '../../../lambdas/tasks/routes.js';

const REQUESTS = 'lambdas/tasks/requests';
const DRAFT_04_KEYWORDS = new Set([
  'type', 'properties', 'required', 'additionalProperties', 'minLength', 'maxLength', 'pattern', 'enum', 'minimum', 'maximum', 'minProperties',
]);

/** Every keyword used anywhere in a schema (property names under `properties` are not keywords). */
function keywords(schema: Record<string, unknown>): string[] {
  return Object.entries(schema).flatMap(([keyword, value]) => {
    if (keyword === 'properties') {
      return [keyword, ...Object.values(value as Record<string, Record<string, unknown>>).flatMap(keywords)];
    }
    return [keyword];
  });
}

describe('tasks ROUTES', () => {
  it('lists each method + path once', () => {
    const names = ROUTES.map((r) => `${r.method} ${r.path}`);
    expect(new Set(names).size).toBe(names.length);
  });

  it('gives every POST and PUT a body schema that exists, and uses every schema file', () => {
    for (const route of ROUTES) {
      const body = 'body' in route ? route.body : undefined;
      if (route.method === 'GET') expect(body).toBeUndefined();
      else expect(body && existsSync(join(REQUESTS, body)), `${route.method} ${route.path}`).toBeTruthy();
    }
    const files = readdirSync(REQUESTS).filter((f) => f.endsWith('.json')).sort();
    expect(ROUTES.flatMap((r) => ('body' in r ? [r.body] : [])).sort()).toEqual(files);
  });

  it('keeps request schemas to the draft-04 keywords API Gateway models accept (as the model gets them: shared text rules inlined)', () => {
    for (const file of readdirSync(REQUESTS).filter((f) => f.endsWith('.json'))) {
      const schema = readRequestSchema(join(REQUESTS, file));
      const unsupported = keywords(schema).filter((k) => !DRAFT_04_KEYWORDS.has(k));
      expect(unsupported, file).toEqual([]);
    }
  });

  it('has committed validators generated from the current schemas', () => {
    for (const generated of generateRequestValidators([REQUESTS])) {
      expect(readFileSync(generated.path, 'utf8'), generated.path).toBe(generated.text);
    }
  });
});
