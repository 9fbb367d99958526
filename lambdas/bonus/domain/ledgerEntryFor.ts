import type { EventOf } from '../../shared/registry/index.js';
import type { LedgerEntry, ManagerItem, RatingVersion } from '../keys.js';
import { bonusAmount } from './bonusAmount.js';

/**
 * The ledger entry a `TaskSolved` earns: the manager NAMED IN THE EVENT (the task's manager when
 * it was solved, even if the task moved since) gets the rating in force when it was solved
 * (`ratingInForce`) times the rate.
 */
export function ledgerEntryFor(
  event: EventOf<'TaskSolved', '0'>,
  manager: Pick<ManagerItem, 'payout_account'>,
  rating: RatingVersion,
  perRatingPoint: number,
  now: Date,
): LedgerEntry {
  return {
    manager_uid: event.payload.task_manager_uid,
    amount: bonusAmount(rating.rating, perRatingPoint),
    task_uid: event.payload.task_uid,
    candidate_uid: event.payload.candidate_uid,
    rating: rating.rating,
    rating_version: rating.version,
    per_rating_point: perRatingPoint,
    solved_at: event.payload.solved_at,
    event_id: event.event_id,
    payout_account: manager.payout_account,
    credited_at: now.toISOString(),
  };
}
