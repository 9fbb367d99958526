/**
 * What became of the DynamoDB transaction conflicts of a run, read from the functions' log lines
 * (the conflict layer counts how many it injected; only the functions know what they did next):
 *
 * - **retried in-process**: a JSON log line with `message` = `WRITE_RETRY_LOG_MESSAGE` and `reason`
 *   `TransactionConflict` — what `retryWrite` (lambdas/shared/dynamodb) logs for each retry of an
 *   HTTP write path — or `RETRY_LOG.retrying` with `retry_reason` `TransactionConflict`, what the
 *   messaging kit's batch handlers log for each retry of a batch transaction.
 * - **back to SQS**: a record given back to SQS (batch item failure) because of a conflict: the
 *   consumers log `transient failure; SQS will retry` with the cancellation in `error`, once per
 *   record (lambdas/shared/messaging/consumer/settleFailure.ts). A consumer that words it
 *   differently must be added to {@link conflictOutcomeOf}.
 */
import { WRITE_RETRY_LOG_MESSAGE } from '../../lambdas/shared/dynamodb/constants.js';
import { RETRY_LOG } from '../../lambdas/shared/messaging/consumer/writeBatch.js';

export type ConflictOutcome = 'retried-in-process' | 'back-to-sqs';

/** The consumers' line for a record left to SQS's retry (settleFailure.ts). */
const BACK_TO_SQS_MESSAGE = 'transient failure; SQS will retry';

/**
 * The conflict outcome a function's log line reports, if any: THE hook to teach a new log line.
 *
 * @example
 * ```ts
 * conflictOutcomeOf('{"level":"INFO","message":"write retried","reason":"TransactionConflict",...}'); // 'retried-in-process'
 * ```
 */
export function conflictOutcomeOf(line: string): ConflictOutcome | undefined {
  // Cheap test first: most lines are not about conflicts, and JSON.parse of each would cost.
  if (!line.includes('TransactionConflict')) return undefined;
  let entry: { message?: unknown; reason?: unknown; retry_reason?: unknown; error?: unknown };
  try {
    entry = JSON.parse(line) as typeof entry;
  } catch {
    return undefined;
  }
  if (entry.message === WRITE_RETRY_LOG_MESSAGE && entry.reason === 'TransactionConflict') return 'retried-in-process';
  if (entry.message === RETRY_LOG.retrying && entry.retry_reason === 'TransactionConflict') return 'retried-in-process';
  if (entry.message === BACK_TO_SQS_MESSAGE && String(entry.error ?? '').includes('TransactionConflict')) return 'back-to-sqs';
  return undefined;
}

/** Tallies {@link conflictOutcomeOf} over a run's function log lines, by outcome and by function role. */
export class ConflictOutcomes {
  private readonly counts: Record<ConflictOutcome, Map<string, number>> = { 'retried-in-process': new Map(), 'back-to-sqs': new Map() };

  constructor(private readonly roleOf: (functionName: string) => string = (name) => name) {}

  /** Feed every function log line here (`startLocalRuntime`'s `functionLog`). */
  observe(functionName: string, line: string): void {
    const outcome = conflictOutcomeOf(line);
    if (!outcome) return;
    const role = this.roleOf(functionName);
    const byRole = this.counts[outcome];
    byRole.set(role, (byRole.get(role) ?? 0) + 1);
  }

  total(outcome: ConflictOutcome): number {
    return [...this.counts[outcome].values()].reduce((a, b) => a + b, 0);
  }

  byRole(outcome: ConflictOutcome): Record<string, number> {
    return Object.fromEntries([...this.counts[outcome].entries()].sort(([a], [b]) => a.localeCompare(b)));
  }
}
