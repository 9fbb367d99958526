import { describe, expect, it } from 'vitest';
import { bonusAmount } from '../../../lambdas/bonus/domain/bonusAmount.js';

describe('bonusAmount', () => {
  it('is rating x rate in integer minor units', () => {
    expect(bonusAmount(4, 100)).toBe(400);
    expect(bonusAmount(1, 0)).toBe(0);
    expect(bonusAmount(5, 250)).toBe(1250);
  });

  it.each([0, 6, 4.5, Number.NaN])('rejects rating %s', (rating) => {
    expect(() => bonusAmount(rating, 100)).toThrow(/rating must be an integer 1..5/);
  });

  it.each([1.5, -1, Number.MAX_SAFE_INTEGER + 2])('rejects a non-integer or negative rate %s', (rate) => {
    expect(() => bonusAmount(3, rate)).toThrow(/perRatingPoint must be a non-negative integer/);
  });
});
