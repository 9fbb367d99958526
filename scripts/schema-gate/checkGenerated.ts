import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateEventVersions } from './generateEventVersions.js';
import { generateTypes } from './generateTypes.js';
import { generateValidators } from './generateValidators.js';
import type { GateIssue, SchemaFile } from './types.js';

/** The generated files, by file name inside `lambdas/shared/registry/generated/`. */
export function generateAll(schemas: readonly SchemaFile[]): Record<string, string> {
  const { js, dts } = generateValidators(schemas);
  return { 'validators.js': js, 'validators.d.ts': dts, 'types.ts': generateTypes(schemas), 'eventVersions.ts': generateEventVersions(schemas) };
}

/** Regenerates in memory and compares with what is committed in `generatedDir`. */
export function checkGenerated(schemas: readonly SchemaFile[], generatedDir: string): GateIssue[] {
  let expected: Record<string, string>;
  try {
    expected = generateAll(schemas);
  } catch (error) {
    return [{ check: 'generated', subject: generatedDir, message: `generation failed: ${(error as Error).message}` }];
  }
  const issues: GateIssue[] = [];
  for (const [file, text] of Object.entries(expected)) {
    const path = join(generatedDir, file);
    const actual = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
    if (actual !== text) {
      issues.push({
        check: 'generated',
        subject: `generated/${file}`,
        message: `${actual === undefined ? 'missing' : 'out of date with the schemas'}: run npm run schemas:build`,
      });
    }
  }
  return issues;
}
