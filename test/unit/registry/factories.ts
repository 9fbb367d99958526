import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** A fresh copy of `test/fixtures/events/<Name>.v<N>.json`. */
export function eventFixture(name: string, version: string): Record<string, unknown> {
  const path = fileURLToPath(new URL(`../../fixtures/events/${name}.v${version}.json`, import.meta.url));
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

export const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
