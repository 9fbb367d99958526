/**
 * The business steps of the hiring story over the public HTTP APIs only, each checking the status it
 * expects. Shared by the end-to-end suite, `npm run demo` and `npm run bench`.
 *
 * The services are eventually consistent where the design says so: tasks learns a candidate from
 * hiring's NewCandidate event, so an assignment answers 404 until then (polled), and bonus credits a
 * solution after the TaskSolved event went through the bus and its queue (awaited).
 */
import { randomUUID } from 'node:crypto';
import { waitFor } from '../../local/net.js';
import type { BalanceAnswer as Balance, LedgerAnswer } from '../../lambdas/bonus/types.js';
import type { LedgerEntry } from '../../lambdas/bonus/keys.js';
import { UnexpectedAnswerError, type ApiAnswer, type ApiClient } from './client.js';

/** bonus's answers as the bonus API declares them, for the steps' callers. */
export type { Balance, LedgerEntry };

export interface StepOptions {
  /** How long eventual steps (assignment, credit) are awaited. Default 30 s. */
  readonly timeoutMs?: number;
  /** Poll interval of eventual steps. Default 50 ms. */
  readonly intervalMs?: number;
}

const expectStatus = <T>(what: string, answer: ApiAnswer<T>, status: number): T => {
  if (answer.status !== status) throw new UnexpectedAnswerError(what, answer, status);
  return answer.body;
};

/** A login the API accepts (`^[a-z0-9_.-]{3,32}$`) and no other run uses. */
export const uniqueLogin = (prefix = 'mgr') => `${prefix}.${randomUUID().replace(/-/g, '').slice(0, 16)}`.slice(0, 32);

export function storySteps(api: ApiClient, options: StepOptions = {}) {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const intervalMs = options.intervalMs ?? 50;

  return {
    api,
    async createManager(name = 'Ada', payoutAccount = `ACC-${randomUUID().slice(0, 8)}`): Promise<string> {
      const body = { name, surname: 'Lovelace', login: uniqueLogin(name.toLowerCase()), payout_account: payoutAccount };
      return expectStatus('POST /managers', await api.request<{ manager_uid: string }>('tasks', 'POST', '/managers', { body }), 201).manager_uid;
    },

    async createTask(managerUid: string, title = 'Reverse a linked list'): Promise<string> {
      const body = { title, knowledge_area: 'Algorithms', manager_uid: managerUid };
      return expectStatus('POST /tasks', await api.request<{ task_uid: string }>('tasks', 'POST', '/tasks', { body }), 201).task_uid;
    },

    async moveTask(taskUid: string, managerUid: string): Promise<{ manager_uid: string; version: number }> {
      return expectStatus(`PUT /tasks/${taskUid}`, await api.request('tasks', 'PUT', `/tasks/${taskUid}`, { body: { manager_uid: managerUid } }), 200);
    },

    async createCandidate(name = 'Grace'): Promise<string> {
      const answer = await api.request<{ candidate_uid: string }>('hiring', 'POST', '/candidates', { body: { name, surname: 'Hopper' } });
      return expectStatus('POST /candidates', answer, 201).candidate_uid;
    },

    /** Assigns once tasks knows the candidate (404 `not_found` until NewCandidate arrived). */
    async assign(taskUid: string, candidateUid: string): Promise<{ assignment_id: string }> {
      let last: ApiAnswer | undefined;
      const what = `POST /tasks/${taskUid}/assignments`;
      const answer = await waitFor(
        async () => {
          last = await api.request('tasks', 'POST', `/tasks/${taskUid}/assignments`, { body: { candidate_uid: candidateUid } });
          if (last.status === 404) return undefined;
          return last;
        },
        { timeoutMs, intervalMs, what: `tasks to learn candidate ${candidateUid}` },
      ).catch((error: Error) => {
        throw last ? new UnexpectedAnswerError(`${what} (${error.message})`, last, 201) : error;
      });
      return expectStatus(what, answer, 201);
    },

    async rate(taskUid: string, rating: number): Promise<{ task_uid: string; rating: number; version: number }> {
      return expectStatus(`PUT /tasks/${taskUid}/rating`, await api.request('hiring', 'PUT', `/tasks/${taskUid}/rating`, { body: { rating } }), 200);
    },

    async solve(taskUid: string, candidateUid: string): Promise<{ task_manager_uid: string; solved_at: string }> {
      const answer = await api.request('hiring', 'POST', `/tasks/${taskUid}/solutions`, { body: { candidate_uid: candidateUid } });
      return expectStatus(`POST /tasks/${taskUid}/solutions`, answer, 201);
    },

    async balance(managerUid: string): Promise<Balance> {
      return expectStatus(`GET /managers/${managerUid}/balance`, await api.request<Balance>('bonus', 'GET', `/managers/${managerUid}/balance`), 200);
    },

    /** One page of the ledger, newest first (`limit` 1..100, `cursor` = the previous page's `next_cursor`). */
    async ledgerPage(managerUid: string, page: { limit?: number; cursor?: string } = {}): Promise<LedgerAnswer> {
      const query = new URLSearchParams();
      if (page.limit !== undefined) query.set('limit', String(page.limit));
      if (page.cursor !== undefined) query.set('cursor', page.cursor);
      const path = `/managers/${managerUid}/ledger${query.size > 0 ? `?${query}` : ''}`;
      return expectStatus(`GET ${path}`, await api.request<LedgerAnswer>('bonus', 'GET', path), 200);
    },

    /** The whole ledger, newest first, read page by page. */
    async ledger(managerUid: string): Promise<LedgerEntry[]> {
      const entries: LedgerEntry[] = [];
      let cursor: string | undefined;
      do {
        const page = await this.ledgerPage(managerUid, { limit: 100, cursor });
        entries.push(...page.entries);
        cursor = page.next_cursor;
      } while (cursor);
      return entries;
    },

    /** Polls the balance until `until` holds; the timeout error shows the last balance seen. */
    async awaitBalance(managerUid: string, until: (balance: Balance) => boolean, what = 'the expected balance'): Promise<Balance> {
      let last: Balance | undefined;
      try {
        return await waitFor(
          async () => {
            last = await this.balance(managerUid);
            return until(last) ? last : undefined;
          },
          { timeoutMs, intervalMs, what: `${what} of manager ${managerUid}` },
        );
      } catch (error) {
        throw new Error(`${(error as Error).message}; last balance ${JSON.stringify(last)}`);
      }
    },

    /** A manager with a task and `candidates` candidates, the first assigned to the task. */
    async taskWithAssignedCandidate(candidates = 1) {
      const managerUid = await this.createManager();
      const taskUid = await this.createTask(managerUid);
      const candidateUids: string[] = [];
      for (let i = 0; i < candidates; i += 1) candidateUids.push(await this.createCandidate(`Grace${i}`));
      await this.assign(taskUid, candidateUids[0]!);
      return { managerUid, taskUid, candidateUid: candidateUids[0]!, candidateUids };
    },
  };
}

export type StorySteps = ReturnType<typeof storySteps>;
