import { validators } from './generated/validators.js';

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
  return Object.hasOwn(validators, name) && Object.hasOwn(validators[name as keyof typeof validators], version);
}
