/**
 * The bonus for one solved task: `rating x perRatingPoint`, in integer minor units (never floats:
 * money is counted, not measured).
 *
 * @example
 * ```ts
 * bonusAmount(4, 100); // 400
 * ```
 */
export function bonusAmount(rating: number, perRatingPoint: number): number {
  if (!Number.isInteger(rating) || rating < 1 || rating > 5) throw new RangeError(`rating must be an integer 1..5, got ${rating}`);
  if (!Number.isSafeInteger(perRatingPoint) || perRatingPoint < 0) {
    throw new RangeError(`perRatingPoint must be a non-negative integer (minor units), got ${perRatingPoint}`);
  }
  return rating * perRatingPoint;
}
