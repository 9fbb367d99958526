import { describe, expect, it } from 'vitest';
import { waitingDecision, waitingDelaySeconds } from '../../../lambdas/shared/waiting/index.js';

const schedule = { firstDelaySeconds: 300, maxDelaySeconds: 6 * 3600, horizonSeconds: 14 * 86_400 };
const t0 = new Date('2026-12-01T00:00:00.000Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

describe('waitingDelaySeconds', () => {
  it('doubles from the first delay and stops at the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 50].map((round) => waitingDelaySeconds(round, schedule))).toEqual([
      300, 600, 1200, 2400, 4800, 9600, 19200, 21600, 21600,
    ]);
  });
});

describe('waitingDecision', () => {
  it('holds a message until its round is due, then redrives it', () => {
    const state = { since: t0, round: 1 };
    expect(waitingDecision(at(10), state, t0, schedule)).toEqual({ action: 'hold', seconds: 290 });
    expect(waitingDecision(at(300), state, t0, schedule)).toEqual({ action: 'redrive' });
  });

  it('counts a later round from when the message entered the queue again, with the longer wait', () => {
    const enteredAt = at(3 * 86_400);
    expect(waitingDecision(at(3 * 86_400 + 60), { since: t0, round: 4 }, enteredAt, schedule)).toEqual({ action: 'hold', seconds: 2400 - 60 });
  });

  it('expires a message once the horizon from its first wait has passed, whatever its round', () => {
    const state = { since: t0, round: 60 };
    expect(waitingDecision(at(14 * 86_400 - 1), state, at(14 * 86_400 - 100), schedule).action).toBe('hold');
    expect(waitingDecision(at(14 * 86_400), state, at(14 * 86_400 - 100), schedule)).toEqual({ action: 'expire' });
  });

  it('never holds past the horizon nor past SQS visibility ceiling of 12 h', () => {
    const nearEnd = waitingDecision(at(14 * 86_400 - 50), { since: t0, round: 9 }, at(14 * 86_400 - 60), schedule);
    expect(nearEnd).toEqual({ action: 'hold', seconds: 50 });
    const long = waitingDecision(t0, { since: t0, round: 1 }, t0, { ...schedule, firstDelaySeconds: 20 * 3600, maxDelaySeconds: 20 * 3600 });
    expect(long).toEqual({ action: 'hold', seconds: 12 * 3600 });
  });
});
