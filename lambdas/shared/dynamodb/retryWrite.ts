import { backoffDelay } from '../http/backoffDelay.js';
import { logger as sharedLogger } from '../observability.js';
import { DEFAULT_WRITE_ATTEMPTS, DEFAULT_WRITE_BASE_DELAY_MS, DEFAULT_WRITE_BUDGET_MS, DEFAULT_WRITE_MAX_DELAY_MS, WRITE_RETRY_LOG_MESSAGE } from './constants.js';
import { WriteContentionError, WriteRaced } from './errors.js';
import { writeRetryReason } from './writeRetryReason.js';

/** The part of a Powertools logger {@link retryWrite} uses. */
export interface WriteRetryLogger {
  info(message: string, ...extra: Array<Record<string, unknown>>): void;
}

export interface RetryWriteOptions {
  /** What is written, named in the 409 and the log, e.g. `rating of task <uid>`. */
  readonly what: string;
  /** Each retry is logged here with {@link WRITE_RETRY_LOG_MESSAGE}. Default: the functions' shared logger. */
  readonly logger?: WriteRetryLogger;
  /** Attempts in all. @default 20 */
  readonly maxAttempts?: number;
  /** @default 20 */
  readonly baseDelayMs?: number;
  /** @default 1000 */
  readonly maxDelayMs?: number;
  /** No retry starts later than this after the first attempt. @default 8000 */
  readonly budgetMs?: number;
  /** Tests: the clock, the pause and the jitter's randomness. */
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

/**
 * Runs a DynamoDB write — usually read + decide + conditional write — again while it fails for a
 * reason that passes: the one shared retry of the services' write paths.
 *
 * Retried, after a full-jitter backoff (so writers that collided do not collide again in step):
 * - DynamoDB transaction conflicts (`TransactionCanceledException` with a `TransactionConflict`
 *   reason, `TransactionConflictException`) and throttling (see {@link writeRetryReason});
 * - a {@link WriteRaced} thrown by `attempt`: its read-modify-write condition failed, so it must
 *   read again (which `attempt` does on its next run).
 * Anything else is rethrown at once. When the attempts or the time budget are spent, throws
 * {@link WriteContentionError} (HTTP 409 `write_conflict`: nothing was written).
 *
 * Each run of `attempt` must be complete on its own (read, decide, write): a refused transaction
 * wrote nothing, so running it again is safe.
 *
 * @example
 * ```ts
 * const saved = await retryWrite(async () => {
 *   const current = await read();
 *   try {
 *     await write(next(current), { expectedVersion: current.version });
 *   } catch (error) {
 *     if (failedConditionIndex(error) === 0) throw new WriteRaced();
 *     throw error;
 *   }
 *   return next(current);
 * }, { what: `task ${taskUid}`, logger: request.logger });
 * ```
 */
export async function retryWrite<T>(attempt: (attemptNumber: number) => Promise<T>, options: RetryWriteOptions): Promise<T> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const maxAttempts = options.maxAttempts ?? DEFAULT_WRITE_ATTEMPTS;
  const deadline = now() + (options.budgetMs ?? DEFAULT_WRITE_BUDGET_MS);
  const backoff = { baseDelayMs: options.baseDelayMs ?? DEFAULT_WRITE_BASE_DELAY_MS, maxDelayMs: options.maxDelayMs ?? DEFAULT_WRITE_MAX_DELAY_MS };
  for (let attemptNumber = 1; ; attemptNumber += 1) {
    try {
      return await attempt(attemptNumber);
    } catch (error) {
      const reason = error instanceof WriteRaced ? 'raced' : writeRetryReason(error);
      if (!reason) throw error;
      const delayMs = backoffDelay(attemptNumber, backoff, options.random);
      if (attemptNumber >= maxAttempts || now() + delayMs > deadline) {
        throw new WriteContentionError(options.what, attemptNumber, reason, error);
      }
      (options.logger ?? sharedLogger).info(WRITE_RETRY_LOG_MESSAGE, { what: options.what, reason, attempt: attemptNumber, delay_ms: delayMs });
      await sleep(delayMs);
    }
  }
}
