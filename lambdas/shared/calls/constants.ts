import { DEAD_LETTER_RETENTION_DAYS, PENDING_CALL_TTL_DAYS } from '../messaging/constants.js';

const DAY_SECONDS = 24 * 60 * 60;

/**
 * How long a pending-call row is kept once written: the retention chain's {@link PENDING_CALL_TTL_DAYS}
 * (every path its message can take without anybody touching the row). Rows are also held longer
 * whenever their message moves on (see {@link pendingCallHoldSeconds}), so a row never expires under
 * a message that still points at it, however often an operator redrives it.
 */
export const PENDING_CALL_TTL_SECONDS = PENDING_CALL_TTL_DAYS * DAY_SECONDS;

/**
 * How long a row must still live when its message enters the waiting queue or the DLQ: the rest
 * of the horizon at most, plus the DLQ's retention (a message there can be redriven until its
 * last day, and the deliverer must then find the row), plus a day's margin.
 */
export function pendingCallHoldSeconds(horizonSeconds: number): number {
  return horizonSeconds + (DEAD_LETTER_RETENTION_DAYS + 1) * DAY_SECONDS;
}

/** Deferred attempts (SQS receives, one per visibility timeout) before a failing call waits in the waiting queue. */
export const DEFAULT_ATTEMPTS_BEFORE_WAITING = 6;
