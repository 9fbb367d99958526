import type { Context } from 'aws-lambda';
import { backoffDelay } from '../../http/backoffDelay.js';
import type { TransactionRetryOptions } from './types.js';

/** Defaults of {@link TransactionRetryOptions}. */
export const DEFAULT_TRANSACTION_RETRY: Required<TransactionRetryOptions> = {
  baseDelayMs: 25,
  maxDelayMs: 1_000,
  safetyMarginMs: 3_000,
  budgetWithoutContextMs: 10_000,
};

/** Time the in-process retries of one invocation may spend: until the function's timeout minus a margin. */
export interface RetryBudget {
  /** Epoch ms after which no retry starts. */
  readonly deadline: number;
  /**
   * The wait before retry number `attempt` (1 = first retry), full jitter, or `undefined` when the
   * wait would end past the deadline (give up).
   */
  nextDelay(attempt: number): number | undefined;
  /** Waits before retry number `attempt` and resolves with the delay, or `undefined` at once when out of time. */
  pause(attempt: number): Promise<number | undefined>;
}

/** Resolves after `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The retry budget of an invocation: `context.getRemainingTimeInMillis()` minus the safety margin
 * (the time to settle the batch and answer before Lambda's timeout), or a fixed budget without a
 * Lambda context.
 *
 * @example
 * ```ts
 * const budget = retryBudget(runtime.retry, context);
 * for (let attempt = 1; ; attempt += 1) {
 *   try { return await write(); } catch (error) { if ((await budget.pause(attempt)) === undefined) throw error; }
 * }
 * ```
 */
export function retryBudget(options: Required<TransactionRetryOptions>, context?: Pick<Context, 'getRemainingTimeInMillis'>, now: () => number = Date.now): RetryBudget {
  const remaining = context ? context.getRemainingTimeInMillis() - options.safetyMarginMs : options.budgetWithoutContextMs;
  const deadline = now() + Math.max(0, remaining);
  const nextDelay = (attempt: number) => {
    const delay = backoffDelay(attempt, options);
    // `>=`: full jitter may draw a 0 ms delay, and a retry that starts at the deadline has no time
    // left to run (with no budget at all, deadline = now: no retry, whatever the draw).
    return now() + delay >= deadline ? undefined : delay;
  };
  return {
    deadline,
    nextDelay,
    async pause(attempt) {
      const delay = nextDelay(attempt);
      if (delay !== undefined) await sleep(delay);
      return delay;
    },
  };
}
