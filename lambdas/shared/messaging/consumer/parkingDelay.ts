import type { ParkingOptions } from './types.js';

/**
 * Delay before the `attempt`-th retry of a parked message (attempt 1 = first park):
 * `min(maxDelaySeconds, baseDelaySeconds * 2^(attempt-1))`.
 *
 * @example
 * ```ts
 * parkingDelay(3, { baseDelaySeconds: 30, maxDelaySeconds: 900 }); // 120
 * ```
 */
export function parkingDelay(attempt: number, options: Required<Pick<ParkingOptions, 'baseDelaySeconds' | 'maxDelaySeconds'>>): number {
  const delay = options.baseDelaySeconds * 2 ** Math.max(0, attempt - 1);
  return Math.max(0, Math.min(options.maxDelaySeconds, Math.round(delay)));
}
