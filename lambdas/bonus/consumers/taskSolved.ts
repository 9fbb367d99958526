import type { BatchEventHandler } from '../../shared/messaging/index.js';
import { creditTaskSolved, ledgerEntryKey, taskSolvedReads } from '../domain/creditTaskSolved.js';

/**
 * Bonus's batch handler of `TaskSolved` v0 (the messaging kit's batch handlers): the reads and the
 * credit above. The ledger entry is the processed marker (`markedBy`): a solution's credit is
 * applied once for as long as the ledger exists, with one item less per record than a separate marker.
 */
export function taskSolvedHandler(perRatingPoint: number): BatchEventHandler<'TaskSolved', '0'> {
  return {
    reads: taskSolvedReads,
    markedBy: ledgerEntryKey,
    decide: (event, read, ctx) => creditTaskSolved(event, read, { tableName: ctx.tableName, now: ctx.now, perRatingPoint }),
  };
}
