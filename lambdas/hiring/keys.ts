/**
 * Keys of the hiring table (single-table design, string `pk`/`sk`).
 *
 * | item        | pk                   | sk                            |
 * |-------------|----------------------|-------------------------------|
 * | candidate   | `CANDIDATE#<uid>`    | `PROFILE`                     |
 * | assignment  | `CANDIDATE#<uid>`    | `ASSIGNMENT#<task_uid>`       |
 * | task copy   | `TASK#<uid>`         | `TASK`                        |
 * | rating      | `TASK#<uid>`         | `RATING`                      |
 * | solution    | `TASK#<uid>`         | `SOLUTION#<candidate_uid>`    |
 * | update req. | `TASK#<uid>`         | `UPDATE_REQUEST#<request_id>` |
 * | manager     | `MANAGER#<uid>`      | `MANAGER`                     |
 * | assign dedup| `ASSIGNMENT_ID#<id>` | `ASSIGNMENT_ID`               |
 *
 * Outbox, processed-event markers, idempotency records and pending calls use the kits' own keys
 * (`OUTBOX#…`, `PROCESSED#…`, `IDEMPOTENCY#…`, `CALL#…`) in the same table.
 *
 * @example
 * ```ts
 * await doc.send(new GetCommand({ TableName, Key: candidateKey(uid) }));
 * ```
 */
export interface ItemKey {
  pk: string;
  sk: string;
}

export const CANDIDATE_PREFIX = 'CANDIDATE#';
export const ASSIGNMENT_SK_PREFIX = 'ASSIGNMENT#';
export const SOLUTION_SK_PREFIX = 'SOLUTION#';

export const candidateKey = (candidateUid: string): ItemKey => ({ pk: `${CANDIDATE_PREFIX}${candidateUid}`, sk: 'PROFILE' });

export const assignmentKey = (candidateUid: string, taskUid: string): ItemKey => ({
  pk: `${CANDIDATE_PREFIX}${candidateUid}`,
  sk: `${ASSIGNMENT_SK_PREFIX}${taskUid}`,
});

export const taskKey = (taskUid: string): ItemKey => ({ pk: `TASK#${taskUid}`, sk: 'TASK' });

export const ratingKey = (taskUid: string): ItemKey => ({ pk: `TASK#${taskUid}`, sk: 'RATING' });

export const solutionKey = (taskUid: string, candidateUid: string): ItemKey => ({
  pk: `TASK#${taskUid}`,
  sk: `${SOLUTION_SK_PREFIX}${candidateUid}`,
});

export const updateRequestKey = (taskUid: string, requestId: string): ItemKey => ({
  pk: `TASK#${taskUid}`,
  sk: `UPDATE_REQUEST#${requestId}`,
});

export const managerKey = (managerUid: string): ItemKey => ({ pk: `MANAGER#${managerUid}`, sk: 'MANAGER' });

/** Marker making `assign_task` idempotent by `assignment_id`, whatever the Idempotency-Key. */
export const assignmentIdKey = (assignmentId: string): ItemKey => ({ pk: `ASSIGNMENT_ID#${assignmentId}`, sk: 'ASSIGNMENT_ID' });
