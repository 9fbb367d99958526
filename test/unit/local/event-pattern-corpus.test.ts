import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileEventPattern, EventPatternError } from '../../../local/event-pattern.js';

/** The corpus of `test/fixtures/event-patterns/`: answers from AWS's documentation and matcher, not from ours. */
interface CorpusCase {
  readonly name: string;
  readonly source: string;
  readonly pattern: unknown;
  readonly events?: ReadonlyArray<{ readonly event: unknown; readonly matches: boolean }>;
  readonly refused?: boolean;
}

const DIR = join(import.meta.dirname, '../../fixtures/event-patterns');
const files = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();

describe('event pattern corpus', () => {
  it('has every file and enough cases to mean something', () => {
    expect(files).toEqual(['aws-docs.json', 'ruler-compiler.json', 'ruler-readme.json', 'ruler-tests.json']);
    const all = files.flatMap((file) => (JSON.parse(readFileSync(join(DIR, file), 'utf8')) as { cases: CorpusCase[] }).cases);
    expect(all.length).toBeGreaterThanOrEqual(250);
    expect(all.filter((c) => c.refused).length, 'refusals').toBeGreaterThanOrEqual(60);
    expect(all.every((c) => c.source.length > 10), 'every case names its source').toBe(true);
  });

  for (const file of files) {
    const { cases } = JSON.parse(readFileSync(join(DIR, file), 'utf8')) as { cases: CorpusCase[] };
    describe(file, () => {
      it.each(cases.map((c, i) => [`${i + 1}. ${c.name}`, c] as const))('%s', (_, c) => {
        const owner = `rule Corpus${file}`;
        if (c.refused) {
          expect(() => compileEventPattern(c.pattern, owner), c.source).toThrow(EventPatternError);
          expect(() => compileEventPattern(c.pattern, owner)).toThrow(`Event pattern of ${owner}:`);
          return;
        }
        const match = compileEventPattern(c.pattern, owner);
        for (const [i, { event, matches }] of (c.events ?? []).entries()) {
          expect(match(event), `${c.source}\nevent ${i + 1}: ${JSON.stringify(event).slice(0, 300)}`).toBe(matches);
        }
      });
    });
  }
});
