import type { ValidationIssue } from './types.js';

function issueText(issue: ValidationIssue): string {
  return issue.reason === 'missing required field' || issue.reason === 'unexpected field'
    ? `${issue.reason} ${issue.field}`
    : `${issue.field} ${issue.reason}`;
}

/**
 * An event does not match its schema (or is not an event at all).
 *
 * `field`/`reason` describe the first problem; `errors` lists all of them. `eventName` and
 * `eventVersion` are empty strings when the input did not carry them.
 *
 * @example
 * ```ts
 * try {
 *   validateEvent(body);
 * } catch (error) {
 *   if (error instanceof EventValidationError) {
 *     logger.error(error.message, { field: error.field }); // "TaskSolved v0: payload.task_uid must match the uuid format"
 *   }
 * }
 * ```
 */
export class EventValidationError extends Error {
  readonly eventName: string;
  readonly eventVersion: string;
  readonly field: string;
  readonly reason: string;
  readonly errors: ValidationIssue[];

  constructor(eventName: string, eventVersion: string, errors: ValidationIssue[]) {
    const first = errors[0] ?? { field: 'event', reason: 'is invalid' };
    const prefix = eventName !== '' && eventVersion !== '' ? `${eventName} v${eventVersion}` : 'invalid event';
    super(`${prefix}: ${(errors.length > 0 ? errors : [first]).map(issueText).join('; ')}`);
    this.name = 'EventValidationError';
    this.eventName = eventName;
    this.eventVersion = eventVersion;
    this.field = first.field;
    this.reason = first.reason;
    this.errors = errors.length > 0 ? errors : [first];
  }
}

/**
 * The event's name or version has no schema in the registry. Such events go to the DLQ
 * with this message; they are handled by hand.
 *
 * @example
 * ```ts
 * // "unknown event ManagerUpdated v7; known versions: 0, 1"
 * validateEvent({ ...managerUpdated, event_version: '7' });
 * ```
 */
export class UnknownEventError extends Error {
  readonly eventName: string;
  readonly eventVersion: string;
  /** Versions of `eventName` that are known; empty when the name itself is unknown. */
  readonly knownVersions: readonly string[];

  constructor(eventName: string, eventVersion: string, knownVersions: readonly string[], knownNames: readonly string[]) {
    super(
      knownVersions.length > 0
        ? `unknown event ${eventName} v${eventVersion}; known versions: ${knownVersions.join(', ')}`
        : `unknown event ${eventName} v${eventVersion}; known events: ${knownNames.join(', ')}`,
    );
    this.name = 'UnknownEventError';
    this.eventName = eventName;
    this.eventVersion = eventVersion;
    this.knownVersions = knownVersions;
  }
}
