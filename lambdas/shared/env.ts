import { getStringFromEnv } from '@aws-lambda-powertools/commons/utils/env';

/**
 * An environment variable that may be absent: `undefined` when unset or empty.
 *
 * Everything else is read with Powertools' env helpers directly (`getStringFromEnv({ key })`
 * throws when a required variable is missing, `getNumberFromEnv({ key, defaultValue })`). They
 * lack only this case: without a default they throw, and with `defaultValue: ''` an absent URL
 * would travel on as `''` instead of "not configured".
 *
 * @example
 * ```ts
 * const bonusApiUrl = optionalStringFromEnv('BONUS_API_URL'); // undefined when not deployed
 * ```
 */
export function optionalStringFromEnv(key: string): string | undefined {
  return getStringFromEnv({ key, defaultValue: '' }) || undefined;
}
