import { MAX_VISIBILITY_TIMEOUT_SECONDS } from '../messaging/constants.js';
import type { WaitingDecision, WaitingSchedule, WaitingState } from './types.js';

/**
 * The wait of round `round` (1 = first): `min(maxDelaySeconds, firstDelaySeconds * 2^(round-1))`.
 *
 * @example
 * ```ts
 * waitingDelaySeconds(3, { firstDelaySeconds: 300, maxDelaySeconds: 21600, horizonSeconds: 1209600 }); // 1200
 * ```
 */
export function waitingDelaySeconds(round: number, schedule: Pick<WaitingSchedule, 'firstDelaySeconds' | 'maxDelaySeconds'>): number {
  const delay = schedule.firstDelaySeconds * 2 ** Math.max(0, round - 1);
  return Math.max(0, Math.min(schedule.maxDelaySeconds, delay));
}

/**
 * What the redriver does with a waiting message that entered the queue at `enteredAt`:
 * - `expire` once `since + horizon` has passed (it goes to the DLQ);
 * - `redrive` once its round's wait has passed since it entered (back to its queue);
 * - else `hold` it out of sight until then (at most SQS's 12-hour visibility ceiling; a longer
 *   wait is looked at again and held once more).
 *
 * @example
 * ```ts
 * const decision = waitingDecision(new Date(), state, new Date(Number(message.Attributes.SentTimestamp)), schedule);
 * ```
 */
export function waitingDecision(now: Date, state: WaitingState, enteredAt: Date, schedule: WaitingSchedule): WaitingDecision {
  const expiresAt = state.since.getTime() + schedule.horizonSeconds * 1000;
  if (now.getTime() >= expiresAt) return { action: 'expire' };
  const dueAt = Math.min(enteredAt.getTime() + waitingDelaySeconds(state.round, schedule) * 1000, expiresAt);
  if (now.getTime() >= dueAt) return { action: 'redrive' };
  return { action: 'hold', seconds: Math.min(MAX_VISIBILITY_TIMEOUT_SECONDS, Math.ceil((dueAt - now.getTime()) / 1000)) };
}
