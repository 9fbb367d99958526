import { GENERATED_HEADER, groupByName } from './generateValidators.js';
import type { SchemaFile } from './types.js';

/**
 * The published versions of every event, oldest first, as a literal module
 * (`eventVersions.ts`). It is apart from the validators so that code which only asks whether an
 * event is known does not pull the validators into its bundle: the freezes are marked pure, so
 * esbuild drops the whole registry from a Lambda that never validates an event.
 */
export function generateEventVersions(schemas: readonly SchemaFile[]): string {
  const lines = [...groupByName(schemas)].map(([name, files]) => {
    const versions = files.map((f) => f.version).sort((a, b) => Number(a) - Number(b));
    return `  ${name}: /* @__PURE__ */ Object.freeze([${versions.map((v) => `'${v}'`).join(', ')}] as const),`;
  });
  return [
    GENERATED_HEADER,
    '/** Published versions of every event, oldest first. */',
    'export const eventVersions = /* @__PURE__ */ Object.freeze({',
    ...lines,
    '});',
    '',
  ].join('\n');
}
