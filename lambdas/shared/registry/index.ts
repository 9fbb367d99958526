/**
 * The event schema registry, as the Lambdas use it: typed events, validation with
 * validators compiled ahead of time from `schemas/` (no schema is compiled at run time),
 * and a builder for outgoing events.
 *
 * @module
 */
export type { AnyEvent, EventName, EventOf, EventPayload, EventVersion, ServiceName } from './types.js';
export { EVENT_VERSIONS } from './constants.js';
export { EventValidationError, UnknownEventError } from './errors.js';
export { validateEvent } from './validateEvent.js';
export { isKnownEvent } from './isKnownEvent.js';
export { buildEvent } from './buildEvent.js';
