import type { RatingItem, RatingVersion } from '../keys.js';

/** A task's known rating versions, ascending, and the first version the history is complete from. */
export interface RatingHistory {
  readonly versions: readonly RatingVersion[];
  /**
   * Versions below this one are not needed: 1 for a history kept from the start; the stored
   * version for an item written before histories existed (it replaced the older ones).
   */
  readonly completeFrom: number;
}

/** Why no amount can be given yet: a version that may decide it has not arrived. */
export interface RatingNotKnownYet {
  readonly missing: string;
}

/**
 * The history stored in a task's rating item (`undefined`: no rating known). A version present
 * twice (a legacy item later extended) is kept once.
 */
export function ratingHistoryOf(item: RatingItem | undefined): RatingHistory {
  const byVersion = new Map<number, RatingVersion>();
  for (const entry of item?.history ?? []) {
    if (!byVersion.has(entry.version)) byVersion.set(entry.version, { version: entry.version, rating: entry.rating, rated_at: entry.rated_at });
  }
  const legacy = item?.version !== undefined && item.rating !== undefined && item.rated_at !== undefined;
  if (legacy && !byVersion.has(item.version!)) byVersion.set(item.version!, { version: item.version!, rating: item.rating!, rated_at: item.rated_at! });
  return { versions: [...byVersion.values()].sort((a, b) => a.version - b.version), completeFrom: legacy ? item.version! : 1 };
}

/**
 * The rating that pays a solution made at `solvedAt`: the rating IN FORCE then — the newest
 * version rated at or before that moment — or, for a solution made before any rating, the FIRST
 * rating given after it. The answer depends only on the history, never on the order or delay in
 * which ratings and solutions reached bonus.
 *
 * Versions count up from 1 without gaps (hiring assigns them), so a missing version is visible:
 * when one that could be the answer has not arrived yet (a version between the one in force and
 * a newer known one; or, before any known rating, an earlier version), the answer is
 * "not known yet" and the solution waits (parked). A version newer than every known one cannot be
 * seen: if it was rated before `solvedAt` and its call is still on its way, the known history is
 * what counts.
 *
 * @example
 * ```ts
 * const history = ratingHistoryOf(item); // v1: 1 at 10:00, v2: 5 at 10:05
 * ratingInForce(history, '2026-11-24T10:02:00Z'); // { version: 1, rating: 1, ... }
 * ratingInForce(history, '2026-11-24T09:00:00Z'); // { version: 1, ... } (the first rating after it)
 * ```
 */
export function ratingInForce(history: RatingHistory, solvedAt: string): RatingVersion | RatingNotKnownYet {
  const { versions, completeFrom } = history;
  if (versions.length === 0) return { missing: 'no rating of the task is known yet' };
  const solved = Date.parse(solvedAt);
  const known = new Set(versions.map((v) => v.version));
  const newest = versions[versions.length - 1]!.version;
  const absentBetween = (from: number, to: number) => {
    for (let v = from; v <= to; v += 1) if (!known.has(v)) return v;
    return undefined;
  };

  let inForce: RatingVersion | undefined;
  for (const entry of versions) if (Date.parse(entry.rated_at) <= solved) inForce = entry;
  if (inForce) {
    const absent = absentBetween(inForce.version + 1, newest);
    return absent === undefined ? inForce : { missing: `rating version ${absent} of the task is not known yet (version ${newest} is)` };
  }
  const first = versions[0]!;
  const absent = absentBetween(completeFrom, first.version - 1);
  return absent === undefined ? first : { missing: `rating version ${absent} of the task is not known yet (version ${first.version} is)` };
}
