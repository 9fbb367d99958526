import { EVENT_VERSIONS } from './constants.js';

/**
 * Whether the registry has a schema for this event name and version.
 *
 * @example
 * ```ts
 * isKnownEvent('ManagerUpdated', '1'); // true
 * isKnownEvent('ManagerUpdated', '7'); // false
 * ```
 */
export function isKnownEvent(name: string, version: string): boolean {
  return Object.hasOwn(EVENT_VERSIONS, name) && (EVENT_VERSIONS[name as keyof typeof EVENT_VERSIONS] as readonly string[]).includes(version);
}
