/**
 * ajv's standalone output keeps CommonJS `require` calls for its runtime helpers even in ESM mode.
 * Rewrites them to static imports (`require` is not defined in ESM, and bundlers want imports).
 * ucs2length is inlined: every `minLength`/`maxLength` needs it, and a copy avoids the CommonJS
 * default-export interop differences between Node ESM and esbuild's CJS bundles.
 *
 * Shared by the event schema generator (`schemas:build`) and the request schema generator.
 *
 * @example
 * ```ts
 * const js = toPureEsm(standaloneCode(ajv, exports), 'lambdas/tasks/requests');
 * ```
 */
export function toPureEsm(code: string, directory: string): string {
  const imports: string[] = [];
  const helpers: string[] = [];
  let rewritten = code.replace(/require\("ajv\/dist\/runtime\/ucs2length"\)\.default/g, 'ucs2length');
  if (rewritten !== code) helpers.push(UCS2LENGTH);
  rewritten = rewritten.replace(/require\("ajv-formats\/dist\/formats"\)\.fullFormats/g, () => {
    if (!imports.includes(FORMATS_IMPORT)) imports.push(FORMATS_IMPORT);
    return 'fullFormats';
  });
  const specifiers = new Map<string, string>();
  rewritten = rewritten.replace(/require\("([^"]+)"\)/g, (_, specifier: string) => {
    // Other runtime helpers (equal, uri, …): Node ESM gives a CommonJS module.exports as the
    // default import, which is what `require` returned.
    let local = specifiers.get(specifier);
    if (!local) {
      local = `runtime${specifiers.size}`;
      specifiers.set(specifier, local);
      imports.push(`import ${local} from "${specifier.endsWith('.js') ? specifier : `${specifier}.js`}";`);
    }
    return local;
  });
  if (/\brequire\(/.test(rewritten)) throw new Error(`${directory}: generated code still calls require()`);
  return [...imports, ...helpers, rewritten.replace(/^"use strict";/, '')].join('\n');
}

const FORMATS_IMPORT = 'import { fullFormats } from "ajv-formats/dist/formats.js";';

// Copy of ajv/dist/runtime/ucs2length (MIT): length in Unicode code points, as JSON Schema counts it.
const UCS2LENGTH = `function ucs2length(str) {
  const len = str.length;
  let length = 0;
  let pos = 0;
  let value;
  while (pos < len) {
    length++;
    value = str.charCodeAt(pos++);
    if (value >= 0xd800 && value <= 0xdbff && pos < len) {
      value = str.charCodeAt(pos);
      if ((value & 0xfc00) === 0xdc00) pos++;
    }
  }
  return length;
}`;
