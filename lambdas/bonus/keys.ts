/** Item keys of the bonus table (single-table design: `pk` + `sk`). */
export const bonusKeys = {
  manager: (managerUid: string) => ({ pk: `MANAGER#${managerUid}`, sk: 'MANAGER' as const }),
  balance: (managerUid: string) => ({ pk: `MANAGER#${managerUid}`, sk: 'BALANCE' }),
  /** Sorted by solve time, so the ledger reads newest first with one query. */
  ledgerEntry: (managerUid: string, solvedAt: string, eventId: string) => ({
    pk: `MANAGER#${managerUid}`,
    sk: `LEDGER#${solvedAt}#${eventId}`,
  }),
  ledgerPrefix: 'LEDGER#',
  task: (taskUid: string) => ({ pk: `TASK#${taskUid}`, sk: 'TASK' }),
  rating: (taskUid: string) => ({ pk: `TASK#${taskUid}`, sk: 'RATING' as const }),
} as const;

export interface ManagerItem {
  pk: string;
  sk: 'MANAGER';
  manager_uid: string;
  login?: string;
  name?: string;
  surname?: string;
  payout_account: string;
  version: number;
}

/** One version of a task's rating, as hiring sent it (versions count up from 1 per task). */
export interface RatingVersion {
  version: number;
  rating: number;
  rated_at: string;
}

/**
 * A task's rating history, ONE item per task (so a batch reads it with one key): every version
 * bonus was told, in arrival order, and the set of those versions (what makes a repeated call a
 * no-op). Items stored before the history existed hold one version in `rating`/`version`/`rated_at`.
 */
export interface RatingItem {
  pk: string;
  sk: 'RATING';
  item_type?: 'rating';
  task_uid: string;
  history?: RatingVersion[];
  versions?: Set<number>;
  /** Legacy: the newest version when the item was written before the history. */
  rating?: number;
  version?: number;
  rated_at?: string;
}

export interface LedgerEntry {
  manager_uid: string;
  amount: number;
  task_uid: string;
  candidate_uid: string;
  rating: number;
  /** The rating version in force at `solved_at` (absent on entries credited before rating histories). */
  rating_version?: number;
  per_rating_point: number;
  solved_at: string;
  event_id: string;
  payout_account: string;
  credited_at: string;
}
