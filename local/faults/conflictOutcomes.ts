/**
 * What became of the DynamoDB transaction conflicts of a run, read from the functions' log lines
 * (the conflict layer counts how many it injected; only the functions know what they did next):
 *
 * - **retried in-process**: a JSON log line with `message` = `WRITE_RETRY_LOG_MESSAGE` and `reason`
 *   `TransactionConflict` — what `retryWrite` (lambdas/shared/dynamodb) logs for each retry. Every
 *   HTTP write path logs it today. A consumer that retries conflicts itself (the per-batch bonus
 *   consumer) counts here once it logs the same line per retry (or uses `retryWrite` with its logger).
 * - **back to SQS**: a record given back to SQS (batch item failure) because of a conflict — today's
 *   per-record consumer logs `transient failure; SQS will retry` with the cancellation in `error`
 *   (lambdas/shared/messaging/consumer/processRecord.ts). A consumer that words it differently must
 *   be added to {@link conflictOutcomeOf}.
 */
import { WRITE_RETRY_LOG_MESSAGE } from '../../lambdas/shared/dynamodb/constants.js';

export type ConflictOutcome = 'retried-in-process' | 'back-to-sqs';

/** Today's consumer's line for a record left to SQS's retry (processRecord.ts). */
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
  let entry: { message?: unknown; reason?: unknown; error?: unknown };
  try {
    entry = JSON.parse(line) as typeof entry;
  } catch {
    return undefined;
  }
  if (entry.message === WRITE_RETRY_LOG_MESSAGE && entry.reason === 'TransactionConflict') return 'retried-in-process';
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
