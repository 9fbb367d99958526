import { describe, expect, it } from 'vitest';
import { ratingHistoryOf, ratingInForce } from '../../../lambdas/bonus/domain/ratingInForce.js';
import type { RatingItem, RatingVersion } from '../../../lambdas/bonus/keys.js';

const at = (minute: number) => `2026-11-24T10:${String(minute).padStart(2, '0')}:00.000Z`;
const v = (version: number, rating: number, minute: number): RatingVersion => ({ version, rating, rated_at: at(minute) });
const item = (history: RatingVersion[], legacy?: RatingVersion): RatingItem => ({
  pk: 'TASK#t',
  sk: 'RATING',
  task_uid: 't',
  history,
  versions: new Set(history.map((h) => h.version)),
  ...legacy,
});

/** Every arrival order of `versions`, each as the history bonus would have stored. */
function arrivalOrders(versions: RatingVersion[]): RatingVersion[][] {
  if (versions.length <= 1) return [versions];
  return versions.flatMap((first, i) => arrivalOrders([...versions.slice(0, i), ...versions.slice(i + 1)]).map((rest) => [first, ...rest]));
}

describe('ratingInForce', () => {
  const history = [v(1, 1, 0), v(2, 5, 10), v(3, 3, 20)];

  it.each([
    ['before any rating: the first rating given after it', -1, 1],
    ['at the moment of a rating: that rating', 10, 2],
    ['between two ratings: the earlier one', 5, 1],
    ['between v2 and v3', 15, 2],
    ['after the newest', 59, 3],
  ])('%s', (_, minute, version) => {
    for (const order of arrivalOrders(history)) {
      const solvedAt = minute < 0 ? '2026-11-24T09:59:00.000Z' : at(minute);
      expect(ratingInForce(ratingHistoryOf(item(order)), solvedAt)).toEqual(history[version - 1]);
    }
  });

  it('waits while a version that could be in force has not arrived (a gap below the newest known)', () => {
    // v2 (rated at :10) is missing: a solution at :15 could be paid by it.
    expect(ratingInForce(ratingHistoryOf(item([v(1, 1, 0), v(3, 3, 20)])), at(15))).toEqual({ missing: expect.stringContaining('version 2') });
    // ...and a solution before every known rating waits for v1.
    expect(ratingInForce(ratingHistoryOf(item([v(2, 5, 10)])), at(5))).toEqual({ missing: expect.stringContaining('version 1') });
  });

  it('does not wait for versions that cannot change the answer', () => {
    // v3 unknown, but v2 known and rated before the solve, and nothing newer known: v2 is in force.
    expect(ratingInForce(ratingHistoryOf(item([v(2, 5, 10), v(1, 1, 0)])), at(15))).toEqual(v(2, 5, 10));
    // v1 missing is irrelevant when v2 is in force and the newest.
    expect(ratingInForce(ratingHistoryOf(item([v(2, 5, 10)])), at(15))).toEqual(v(2, 5, 10));
  });

  it('knows nothing without a rating', () => {
    expect(ratingInForce(ratingHistoryOf(undefined), at(0))).toEqual({ missing: 'no rating of the task is known yet' });
  });

  it('reads an item stored before histories as complete from its version, and merges it with newer versions', () => {
    const legacy = v(4, 2, 5);
    expect(ratingInForce(ratingHistoryOf(item([], legacy)), at(0))).toEqual(legacy); // no v1..v3 to wait for
    const extended = ratingHistoryOf(item([v(5, 4, 30), v(4, 2, 5)], legacy));
    expect(extended.versions).toEqual([legacy, v(5, 4, 30)]);
    expect(ratingInForce(extended, at(40))).toEqual(v(5, 4, 30));
  });

  it('compares instants, not strings (any RFC 3339 offset)', () => {
    const h = ratingHistoryOf(item([v(1, 1, 0), { version: 2, rating: 5, rated_at: '2026-11-24T12:10:00+02:00' }]));
    expect(ratingInForce(h, '2026-11-24T10:05:00Z')).toMatchObject({ version: 1 });
    expect(ratingInForce(h, '2026-11-24T10:10:00Z')).toMatchObject({ version: 2 });
  });
});
