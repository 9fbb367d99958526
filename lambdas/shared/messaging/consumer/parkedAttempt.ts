import type { SQSRecord } from 'aws-lambda';
import { ATTR_PARKED_ATTEMPT } from '../constants.js';

/**
 * How many times this message was parked already (its `parked-attempt` attribute; 0 when absent
 * or unreadable).
 *
 * @example
 * ```ts
 * const previous = parkedAttempt(record);
 * ```
 */
export function parkedAttempt(record: SQSRecord): number {
  const value = Number(record.messageAttributes?.[ATTR_PARKED_ATTEMPT]?.stringValue);
  return Number.isInteger(value) && value > 0 ? value : 0;
}
