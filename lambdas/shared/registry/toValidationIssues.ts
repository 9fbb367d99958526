import type { ErrorObject } from 'ajv';
import { UUID_V4_PATTERN } from './constants.js';
import type { ValidationIssue } from './types.js';

function fieldOf(instancePath: string, child?: string): string {
  const parts = instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (child !== undefined) parts.push(child);
  return parts.length > 0 ? parts.join('.') : 'event';
}

function reasonOf(error: ErrorObject): string {
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return 'missing required field';
    case 'additionalProperties':
      return 'unexpected field';
    case 'type':
      return `must be of type ${String(p.type)}`;
    case 'pattern':
      return p.pattern === UUID_V4_PATTERN ? 'must match the uuid format' : `must match the pattern ${String(p.pattern)}`;
    case 'format':
      return `must match the ${String(p.format)} format`;
    case 'enum':
      return `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'minLength':
      return p.limit === 1 ? 'must not be empty' : `must be at least ${String(p.limit)} characters long`;
    case 'maxLength':
      return `must be at most ${String(p.limit)} characters long`;
    case 'minimum':
    case 'maximum':
      return `must be ${String(p.comparison)} ${String(p.limit)}`;
    default:
      return error.message ?? `fails ${error.keyword}`;
  }
}

/** Turns ajv's errors into `{ field: 'payload.task_uid', reason: 'must match the uuid format' }`. */
export function toValidationIssues(errors: readonly ErrorObject[] | null | undefined): ValidationIssue[] {
  return (errors ?? []).map((error) => {
    const p = error.params as Record<string, unknown>;
    const child =
      error.keyword === 'required'
        ? String(p.missingProperty)
        : error.keyword === 'additionalProperties'
          ? String(p.additionalProperty)
          : undefined;
    return { field: fieldOf(error.instancePath, child), reason: reasonOf(error) };
  });
}
