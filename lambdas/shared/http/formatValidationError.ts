import type { ErrorObject } from 'ajv';

/**
 * Turns the first ajv error into the API's `{field, message}`: `field` is a dotted path from `root`
 * (`body.items[0].name`) so a client can point at the input, `message` reads as a sentence.
 *
 * @example
 * ```ts
 * formatValidationError({ instancePath: '/rating', keyword: 'maximum', params: { limit: 5 }, message: 'must be <= 5', schemaPath: '' });
 * // -> { field: 'body.rating', message: 'rating must be <= 5' }
 * ```
 */
export function formatValidationError(
  error: ErrorObject | undefined,
  root = 'body',
): { field: string; message: string } {
  if (!error) return { field: root, message: `${root} is invalid` };
  const path = root + pointerToPath(error.instancePath);
  switch (error.keyword) {
    case 'required': {
      const field = `${path}.${String(error.params.missingProperty)}`;
      return { field, message: `missing required field ${field}` };
    }
    case 'additionalProperties': {
      const field = `${path}.${String(error.params.additionalProperty)}`;
      return { field, message: `unexpected field ${field}` };
    }
    case 'enum': {
      const allowed = (error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ');
      return { field: path, message: `${lastSegment(path)} must be one of ${allowed}` };
    }
    default:
      return { field: path, message: `${lastSegment(path)} ${error.message ?? 'is invalid'}` };
  }
}

/** `/items/0/a~1b` -> `.items[0].a/b` (JSON pointer unescaping per RFC 6901). */
function pointerToPath(pointer: string): string {
  if (pointer === '') return '';
  return pointer
    .slice(1)
    .split('/')
    .map((raw) => raw.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((segment) => (/^\d+$/.test(segment) ? `[${segment}]` : `.${segment}`))
    .join('');
}

/** `body.items[0].name` -> `name`; `body.items[0]` -> `items[0]`. */
function lastSegment(path: string): string {
  const dot = path.lastIndexOf('.');
  return dot === -1 ? path : path.slice(dot + 1);
}
