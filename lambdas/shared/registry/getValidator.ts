import { EVENT_VERSIONS } from './constants.js';
import { UnknownEventError } from './errors.js';
import type { GeneratedValidator } from './generated/validators.js';
import { validators } from './generated/validators.js';
import { isKnownEvent } from './isKnownEvent.js';

/** The precompiled validator of `name` version `version`; throws {@link UnknownEventError}. */
export function getValidator(name: string, version: string): GeneratedValidator<unknown> {
  if (!isKnownEvent(name, version)) {
    const known = Object.hasOwn(EVENT_VERSIONS, name) ? EVENT_VERSIONS[name as keyof typeof EVENT_VERSIONS] : [];
    throw new UnknownEventError(name, version, known, Object.keys(EVENT_VERSIONS));
  }
  return (validators as unknown as Record<string, Record<string, GeneratedValidator<unknown>>>)[name]![version]!;
}
