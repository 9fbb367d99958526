import { prerequisiteMissing, type Decision, type ReadItems } from '../../shared/messaging/index.js';
import type { EventOf } from '../../shared/registry/index.js';
import { bonusKeys, type ManagerItem, type RatingItem } from '../keys.js';
import { ledgerEntryFor } from './ledgerEntryFor.js';
import { ratingHistoryOf, ratingInForce } from './ratingInForce.js';

type TaskSolved = EventOf<'TaskSolved', '0'>;

/** What crediting a `TaskSolved` reads: the manager named in the event and the task's rating history. */
export function taskSolvedReads(event: TaskSolved) {
  return [bonusKeys.manager(event.payload.task_manager_uid), bonusKeys.rating(event.payload.task_uid)];
}

/**
 * The credit of one `TaskSolved`, from what was read: a ledger entry (its own item, conditioned on
 * not existing) and the manager's balance `ADD` (merged with the batch's other credits of that
 * manager into one update). Waits (parked) while the manager, or the rating in force at
 * `solved_at`, is not known yet.
 *
 * @example
 * ```ts
 * const decision = creditTaskSolved(event, read, { tableName, now, perRatingPoint: 100 });
 * ```
 */
export function creditTaskSolved(event: TaskSolved, read: ReadItems, ctx: { tableName: string; now: Date; perRatingPoint: number }): Decision {
  const { task_uid, task_manager_uid } = event.payload;
  const manager = read.get<ManagerItem>(bonusKeys.manager(task_manager_uid));
  const rating = ratingInForce(ratingHistoryOf(read.get<RatingItem>(bonusKeys.rating(task_uid))), event.payload.solved_at);
  const noRating = 'missing' in rating;
  if (!manager || noRating) {
    const missing = [!manager && `manager ${task_manager_uid}`, noRating && `rating of task ${task_uid} (${rating.missing})`].filter(Boolean);
    return prerequisiteMissing(`bonus does not know the ${missing.join(' or the ')} yet`);
  }
  const entry = ledgerEntryFor(event, manager, rating, ctx.perRatingPoint, ctx.now);
  return {
    writes: [
      {
        Put: {
          TableName: ctx.tableName,
          Item: { ...ledgerEntryKey(event), item_type: 'ledger', ...entry },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    ],
    increments: [
      {
        key: bonusKeys.balance(task_manager_uid),
        add: { balance: entry.amount, entries: 1 },
        set: { manager_uid: task_manager_uid, updated_at: entry.credited_at },
      },
    ],
  };
}

/** The ledger entry of a `TaskSolved`: one per event, never overwritten. */
export const ledgerEntryKey = (event: TaskSolved) => bonusKeys.ledgerEntry(event.payload.task_manager_uid, event.payload.solved_at, event.event_id);
