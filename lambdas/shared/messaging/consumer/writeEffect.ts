import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { cancellationReasons } from '../cancellationReasons.js';
import { MAX_TRANSACT_ITEMS } from '../constants.js';
import { PoisonError, TransactionTooLargeError } from '../errors.js';
import { isLastWriteWins } from '../lastWriteWins.js';
import type { TransactWriteItem } from '../types.js';
import { processedMarker, type MarkedEvent } from './processedMarker.js';
import type { ConsumerRuntime } from './types.js';

const CONDITION_FAILED = 'ConditionalCheckFailed';
/** Cancellation codes that pass with time: retried as transient failures. */
const TRANSIENT_CODES = new Set(['TransactionConflict', 'ThrottlingError', 'ProvisionedThroughputExceeded', 'RequestLimitExceeded']);

/**
 * Writes a handler's effect together with the processed marker (the marker is the LAST item) in
 * one `TransactWriteItems`, and reads the cancellation reasons when it is refused:
 * - marker condition failed -> `duplicate` (the effect was applied by an earlier delivery);
 * - a last-write-wins item's condition failed -> `stale`: the effect is skipped as a whole and
 *   the marker is written alone, so a redelivery is recognised as a duplicate;
 * - throttling / TransactionConflict -> the original error is rethrown (transient);
 * - any other item's condition failed -> {@link PoisonError} naming the item (the handler's own
 *   condition said "no": retrying the same message cannot change that by itself).
 *
 * @example
 * ```ts
 * const outcome = await writeEffect(runtime, event, effect); // 'consumed' | 'duplicate' | 'stale'
 * ```
 */
export async function writeEffect(runtime: ConsumerRuntime, event: MarkedEvent, effect: TransactWriteItem[]): Promise<'consumed' | 'duplicate' | 'stale'> {
  const marker = processedMarker(runtime.tableName, runtime.consumer, event, runtime.now());
  const items = [...effect, marker];
  if (items.length > MAX_TRANSACT_ITEMS) throw new TransactionTooLargeError(items.length, MAX_TRANSACT_ITEMS);
  try {
    await runtime.doc.send(new TransactWriteCommand({ TransactItems: items }));
    return 'consumed';
  } catch (error) {
    const reasons = cancellationReasons(error);
    if (!reasons) throw error;
    if (reasons[items.length - 1]?.Code === CONDITION_FAILED) return 'duplicate';
    if (reasons.some((reason) => reason.Code && TRANSIENT_CODES.has(reason.Code))) throw error;
    const failedIndexes = reasons.flatMap((reason, index) => (reason.Code === CONDITION_FAILED ? [index] : []));
    if (failedIndexes.length > 0 && failedIndexes.every((index) => isLastWriteWins(items[index]!))) {
      return writeMarkerAlone(runtime, marker);
    }
    if (failedIndexes.length > 0) {
      throw new PoisonError(`condition failed on effect item(s) ${failedIndexes.join(', ')}: ${reasons.map((r) => r.Code).join(',')}`, { cause: error });
    }
    throw error;
  }
}

async function writeMarkerAlone(runtime: ConsumerRuntime, marker: TransactWriteItem): Promise<'stale' | 'duplicate'> {
  try {
    await runtime.doc.send(new TransactWriteCommand({ TransactItems: [marker] }));
    return 'stale';
  } catch (error) {
    if (cancellationReasons(error)?.[0]?.Code === CONDITION_FAILED) return 'duplicate';
    throw error;
  }
}
