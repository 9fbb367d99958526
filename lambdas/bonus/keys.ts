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

export interface RatingItem {
  pk: string;
  sk: 'RATING';
  task_uid: string;
  rating: number;
  version: number;
  rated_at: string;
}

export interface LedgerEntry {
  manager_uid: string;
  amount: number;
  task_uid: string;
  candidate_uid: string;
  rating: number;
  per_rating_point: number;
  solved_at: string;
  event_id: string;
  payout_account: string;
  credited_at: string;
}
