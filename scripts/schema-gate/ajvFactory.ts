import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS; under some loaders its default import is the module object.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule);

/**
 * The one Ajv configuration the registry uses, for the build (standalone code) and the gate:
 * all errors, strict mode on, ajv-formats' full formats.
 */
export function createAjv(source = false): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: true, code: source ? { source: true, esm: true, lines: true } : {} });
  addFormats(ajv);
  return ajv;
}
