import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import * as defaults from '../../../lib/constructs/defaults.js';
import { DEFAULT_STAGE } from '../../../lib/stage.js';

/**
 * The props' `@default <value> (`<CONSTANT>.<key>`)` tags of lib/ say the value the constructor
 * really falls back to: each names its constant in lib/constructs/defaults.ts (or lib/stage.ts), and
 * this test reads the constant and compares it with the value written in the tag (`@default - ...`
 * describes a default that is not a constant).
 */
const LIB = join(import.meta.dirname, '../../../lib');
const TAG = /@default (?!- )(.+?) \(`([A-Z_]+)(?:\.(\w+))?`\)/g;
const CONSTANTS: Record<string, unknown> = { ...defaults, DEFAULT_STAGE };

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

/** How a tag writes a value: `30 seconds`, `RetentionDays.ONE_MONTH`, `RemovalPolicy.RETAIN`, `10`, `v1`. */
function written(value: unknown, key: string | undefined): string {
  if (value instanceof Duration) return value.toHumanString();
  if (key === 'logRetention') return `RetentionDays.${RetentionDays[value as RetentionDays]}`;
  if (key === 'removalPolicy') return `RemovalPolicy.${Object.entries(RemovalPolicy).find(([, v]) => v === value)?.[0]}`;
  return String(value);
}

const tags = sourceFiles(LIB).flatMap((file) =>
  [...readFileSync(file, 'utf8').matchAll(TAG)].map(([, text, constant, key]) => ({ file, text: text!, constant: constant!, key })),
);

describe('@default tags of lib/', () => {
  it('are found (the pattern still matches how the props are documented)', () => {
    expect(tags.length).toBeGreaterThan(25);
  });

  it.each(tags.map((t) => [`${t.constant}${t.key ? `.${t.key}` : ''} in ${t.file.slice(LIB.length + 1)}`, t] as const))(
    '%s says the real default',
    (_, tag) => {
      expect(Object.keys(CONSTANTS)).toContain(tag.constant);
      const holder = CONSTANTS[tag.constant];
      const value = tag.key === undefined ? holder : (holder as Record<string, unknown>)[tag.key];
      expect(value, `${tag.constant}.${tag.key} exists`).toBeDefined();
      expect(tag.text).toBe(written(value, tag.key));
    },
  );
});
