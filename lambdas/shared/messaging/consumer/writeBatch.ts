import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { RETRYABLE_CANCELLATION_CODES } from '../../dynamodb/constants.js';
import { writeRetryReason } from '../../dynamodb/writeRetryReason.js';
import { countEvent, MetricName } from '../../observability.js';
import { cancellationReasons, type CancellationReason } from '../cancellationReasons.js';
import { MAX_TRANSACT_BYTES, MAX_TRANSACT_ITEMS } from '../constants.js';
import { PoisonError, TransactionTooLargeError } from '../errors.js';
import { isLastWriteWins } from '../lastWriteWins.js';
import { classifyError } from './classifyError.js';
import { buildTransaction, planTransactions, type BuiltTransaction, type PendingWrite } from './planTransactions.js';
import { sleep, type RetryBudget } from './retryBudget.js';
import type { ConsumerRuntime } from './types.js';

/** What became of one record's write; `poison`/`transient` carry the error to settle the record with. */
export type WriteOutcome = 'consumed' | 'duplicate' | 'stale' | { poison: Error } | { transient: unknown };

/** Log messages of the in-process retries (the chaos run counts them in the function logs). */
export const RETRY_LOG = {
  retrying: 'batch transaction retried in process',
  givenUp: 'batch transaction retries exhausted; records returned to SQS',
} as const;

const CONDITION_FAILED = 'ConditionalCheckFailed';
/** Why a transaction is retried: the log's `retry_reason`. */
type RetryReason = 'TransactionConflict' | 'Throttling' | 'TransientError';

/** The HTTP write paths' classification (`writeRetryReason`), named as the batch retry logs name it. */
function retryReasonOf(error: unknown): RetryReason {
  const reason = writeRetryReason(error);
  if (reason === 'TransactionConflict') return reason;
  return reason === 'throttled' ? 'Throttling' : 'TransientError';
}

/** A cancellation whose reasons are only conditions, conflicts and throttling (anything else is isolated). */
const onlyKnownCodes = (reasons: CancellationReason[]) =>
  reasons.every((r) => !r.Code || r.Code === 'None' || r.Code === CONDITION_FAILED || RETRYABLE_CANCELLATION_CODES.has(r.Code));

export interface WriteBatchInput {
  runtime: Pick<ConsumerRuntime, 'doc' | 'tableName' | 'logger'>;
  pending: readonly PendingWrite[];
  budget: RetryBudget;
  /** The event id of a member, for the retry logs. */
  eventIdOf: (member: PendingWrite) => string;
}

/**
 * Writes the effects of a batch's records — markers, writes, increments merged per item — in as
 * few `TransactWriteItems` as DynamoDB's limits allow (`planTransactions`), one after the other,
 * and reads a cancellation item by item:
 * - a marker's condition failed -> that record is a `duplicate` and drops out;
 * - a last-write-wins item's condition failed -> `stale`: its effect is dropped, its marker stays;
 * - another write's condition failed -> `poison` (the handler's own rule said no);
 * and the rest is retried AT ONCE. `TransactionConflict`, throttling and other transient errors
 * are retried with jittered backoff while the budget lasts, then the records come back as
 * `transient` (batch item failures). A request DynamoDB refuses as invalid is split into one
 * transaction per record, so only the record at fault is `poison`.
 *
 * @example
 * ```ts
 * const outcomes = await writeBatch({ runtime, pending, budget, eventIdOf: (m) => events[m.id].event_id });
 * ```
 */
export async function writeBatch(input: WriteBatchInput): Promise<Map<number, WriteOutcome>> {
  const { runtime, budget } = input;
  const outcomes = new Map<number, WriteOutcome>();
  const stale = new Set<number>();
  const plan = planTransactions(input.pending, runtime.tableName);
  for (const { member, items, bytes } of plan.tooLarge) {
    const poison = items > MAX_TRANSACT_ITEMS
      ? new TransactionTooLargeError(items, MAX_TRANSACT_ITEMS)
      : new PoisonError(`the effect is ${bytes} bytes, above the ${MAX_TRANSACT_BYTES}-byte TransactWriteItems limit`);
    outcomes.set(member.id, { poison });
  }

  /** Settles the members whose items failed a condition; returns the ones still to write. */
  const settleConditions = (tx: BuiltTransaction, reasons: CancellationReason[], members: PendingWrite[]): PendingWrite[] => {
    const failed = new Map<PendingWrite, { marker: boolean; lww: boolean; other: number[] }>();
    const entry = (member: PendingWrite) => failed.get(member) ?? failed.set(member, { marker: false, lww: false, other: [] }).get(member)!;
    reasons.forEach((reason, index) => {
      if (reason.Code !== CONDITION_FAILED) return;
      const owner = tx.owners[index];
      if (!owner) return;
      if (owner.kind === 'marker') entry(owner.member).marker = true;
      else if (owner.kind === 'write') {
        if (isLastWriteWins(owner.item)) entry(owner.member).lww = true;
        else entry(owner.member).other.push(owner.member.writes.indexOf(owner.item));
      } else for (const member of owner.members) entry(member).other.push(-1);
    });
    const remaining: PendingWrite[] = [];
    for (const member of members) {
      const f = failed.get(member);
      if (!f) remaining.push(member);
      else if (f.marker) outcomes.set(member.id, 'duplicate');
      else if (f.other.length > 0) {
        const items = f.other.map((i) => (i < 0 ? 'increment' : String(i))).join(', ');
        outcomes.set(member.id, { poison: new PoisonError(`condition failed on effect item(s) ${items}: ${reasons.map((r) => r.Code).join(',')}`) });
      } else {
        stale.add(member.id);
        remaining.push({ id: member.id, marker: member.marker, writes: [], increments: [] });
      }
    }
    return remaining;
  };

  const commit = async (group: PendingWrite[]): Promise<void> => {
    let members = group;
    for (let retries = 0; members.length > 0; ) {
      const tx = buildTransaction(members, runtime.tableName);
      try {
        await runtime.doc.send(new TransactWriteCommand({ TransactItems: tx.items }));
        for (const member of members) outcomes.set(member.id, stale.has(member.id) ? 'stale' : 'consumed');
        return;
      } catch (error) {
        const reasons = cancellationReasons(error);
        if (reasons?.some((r) => r.Code === CONDITION_FAILED)) {
          members = settleConditions(tx, reasons, members);
          continue;
        }
        const invalid = reasons ? !onlyKnownCodes(reasons) : classifyError(error) === 'poison';
        if (invalid) {
          if (members.length === 1) {
            outcomes.set(members[0]!.id, { poison: error instanceof Error ? error : new PoisonError(String(error)) });
            return;
          }
          // Which record made the request invalid? Each alone says.
          for (const member of members) await commit([member]);
          return;
        }
        const reason = retryReasonOf(error);
        retries += 1;
        const logKeys = {
          retry_reason: reason,
          attempt: retries,
          records: members.length,
          transaction_items: tx.items.length,
          event_ids: members.map(input.eventIdOf),
          error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        };
        const delay = budget.nextDelay(retries);
        if (delay === undefined) {
          runtime.logger.warn(RETRY_LOG.givenUp, logKeys);
          countEvent(reason === 'TransactionConflict' ? MetricName.TransactionConflictsReturnedToSqs : MetricName.TransactionThrottlesReturnedToSqs, members.length);
          for (const member of members) outcomes.set(member.id, { transient: error });
          return;
        }
        runtime.logger.info(RETRY_LOG.retrying, { ...logKeys, delay_ms: delay });
        countEvent(reason === 'TransactionConflict' ? MetricName.TransactionConflictsRetried : MetricName.TransactionThrottlesRetried);
        await sleep(delay);
      }
    }
  };

  for (const group of plan.groups) await commit(group);
  return outcomes;
}
