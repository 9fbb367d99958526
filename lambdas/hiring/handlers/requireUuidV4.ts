import { ValidationError } from '../../shared/http/index.js';

/** The uuid v4 form every id in the event schemas has (lowercase). */
export const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/**
 * Checks a path parameter is a lowercase uuid v4 (the router accepts any uuid; hiring's ids travel
 * in events whose schemas want v4). Throws a 400 naming `path.<name>`.
 *
 * @example
 * ```ts
 * const taskUid = requireUuidV4('task_uid', request.pathParameters.task_uid);
 * ```
 */
export function requireUuidV4(name: string, value: string | undefined): string {
  if (value === undefined || !UUID_V4.test(value)) {
    throw new ValidationError(`path.${name}`, `${name} must be a lowercase uuid v4`, 'invalid_parameter');
  }
  return value;
}
