import { eventVersions } from './generated/eventVersions.js';
import type { EventName, EventVersion } from './types.js';

/**
 * Published versions of every event, oldest first (generated from `schemas/` next to the
 * validators, not read from them: see `generateEventVersions`).
 *
 * @example
 * ```ts
 * import { EVENT_VERSIONS } from '../shared/registry/index.js';
 * EVENT_VERSIONS.ManagerUpdated; // ['0', '1']
 * ```
 */
export const EVENT_VERSIONS: { readonly [N in EventName]: readonly EventVersion<N>[] } = eventVersions;

/**
 * The uuid v4 pattern the schemas use (lowercase): every id that travels in an event has this form.
 * Error messages call it "the uuid format". (The HTTP router's `UUID_PATTERN` is another meaning:
 * any uuid in a path.)
 */
export const UUID_V4_PATTERN = '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$';

/** {@link UUID_V4_PATTERN} as a RegExp. */
export const UUID_V4 = new RegExp(UUID_V4_PATTERN);
