import { describe, expect, it } from 'vitest';
import { formatValidationError } from '../../../lambdas/shared/http/formatValidationError.js';

const error = (instancePath: string, keyword: string, params: Record<string, unknown>, message?: string) => ({ instancePath, keyword, params, message, schemaPath: '' });

describe('formatValidationError', () => {
  it('names nested fields with dots and array indexes, unescaping JSON pointers', () => {
    expect(formatValidationError(error('/a~1b/items/0', 'required', { missingProperty: 'name' }))).toEqual({
      field: 'body.a/b.items[0].name',
      message: 'missing required field body.a/b.items[0].name',
    });
    expect(formatValidationError(error('/x~0y', 'type', { type: 'string' }, 'must be string'))).toEqual({ field: 'body.x~y', message: 'x~y must be string' });
  });

  it('uses another root for other inputs and survives a missing error', () => {
    expect(formatValidationError(error('', 'additionalProperties', { additionalProperty: 'q' }), 'query')).toEqual({ field: 'query.q', message: 'unexpected field query.q' });
    expect(formatValidationError(undefined)).toEqual({ field: 'body', message: 'body is invalid' });
  });
});
