import { EventValidationError } from './errors.js';
import { getValidator } from './getValidator.js';
import { toValidationIssues } from './toValidationIssues.js';
import type { AnyEvent } from './types.js';

const VERSION_IN_NAME_FORM = /^([A-Za-z][A-Za-z0-9]*)\.v(0|[1-9]\d*)$/;

function kindOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}

/**
 * Validates an incoming event (already `JSON.parse`d) against the schema its
 * `event_name` + `event_version` name, with validators compiled ahead of time.
 *
 * Throws {@link UnknownEventError} when no such schema exists and
 * {@link EventValidationError} when the input is not a valid event; its message names the
 * field, e.g. `TaskSolved v0: payload.task_uid must match the uuid format`. The
 * `"event_name": "TaskSolved.v0"` form (the version inside the name, as early hand-written examples
 * had it) is rejected with the canonical form to use.
 *
 * @example
 * ```ts
 * import { validateEvent } from '../shared/registry/index.js';
 *
 * const event = validateEvent(JSON.parse(record.body));
 * if (event.event_name === 'TaskSolved' && event.event_version === '0') {
 *   event.payload.task_manager_uid; // typed
 * }
 * ```
 */
export function validateEvent(input: unknown): AnyEvent {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new EventValidationError('', '', [{ field: 'event', reason: `must be a JSON object, got ${kindOf(input)}` }]);
  }
  const record = input as Record<string, unknown>;
  const name = record.event_name;
  const version = record.event_version;
  if (name === undefined) {
    throw new EventValidationError('', '', [{ field: 'event_name', reason: 'missing required field' }]);
  }
  if (typeof name !== 'string') {
    throw new EventValidationError('', '', [{ field: 'event_name', reason: `must be of type string, got ${kindOf(name)}` }]);
  }
  const versioned = VERSION_IN_NAME_FORM.exec(name);
  if (versioned) {
    throw new EventValidationError(versioned[1]!, typeof version === 'string' ? version : '', [
      {
        field: 'event_name',
        reason: `must not carry the version ("${name}"): use "event_name": "${versioned[1]}" with "event_version": "${versioned[2]}"`,
      },
    ]);
  }
  if (version === undefined) {
    throw new EventValidationError(name, '', [{ field: 'event_version', reason: 'missing required field' }]);
  }
  if (typeof version !== 'string') {
    const hint = typeof version === 'number' ? ` (use "event_version": "${version}")` : '';
    throw new EventValidationError(name, '', [
      { field: 'event_version', reason: `must be of type string, got ${kindOf(version)}${hint}` },
    ]);
  }
  const validate = getValidator(name, version);
  if (!validate(input)) {
    throw new EventValidationError(name, version, toValidationIssues(validate.errors));
  }
  return input as AnyEvent;
}
