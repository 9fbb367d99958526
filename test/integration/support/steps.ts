import { expect } from 'vitest';
import type { BalanceAnswer, LedgerAnswer } from '../../../lambdas/bonus/types.js';
import type { LedgerEntry } from '../../../lambdas/bonus/keys.js';
import type { World } from './world.js';

/**
 * The user-facing steps of the money flow, each through the public route of the service that owns
 * it and checking its answer. Events are NOT pumped here: the scenarios decide when the bus runs.
 */
export function moneySteps(world: World) {
  let counter = 0;
  const expectStatus = (answer: { status: number; body: unknown }, status: number, what: string) =>
    expect(answer.status, `${what}: ${JSON.stringify(answer.body)}`).toBe(status);

  return {
    /** tasks `POST /managers` -> manager_uid (ManagerUpdated v1 in the tasks outbox). */
    async createManager(payoutAccount = `ACC-${++counter}`): Promise<string> {
      const login = `manager.${Date.now().toString(36)}.${++counter}`;
      const answer = await world.call<{ manager_uid: string }>('tasks', {
        method: 'POST',
        resource: '/managers',
        body: { name: 'Ada', surname: 'Lovelace', login, payout_account: payoutAccount },
      });
      expectStatus(answer, 201, 'POST /managers');
      return answer.body.manager_uid;
    },

    /** tasks `POST /tasks` -> task_uid (TaskCreated v1 + update_task call to hiring). */
    async createTask(managerUid: string): Promise<string> {
      const answer = await world.call<{ task_uid: string }>('tasks', {
        method: 'POST',
        resource: '/tasks',
        body: { title: 'Reverse a linked list', knowledge_area: 'Algorithms', manager_uid: managerUid },
      });
      expectStatus(answer, 201, 'POST /tasks');
      return answer.body.task_uid;
    },

    /** tasks `PUT /tasks/{task_uid}` with a new manager (update_task call to hiring). */
    async moveTask(taskUid: string, managerUid: string): Promise<{ manager_uid: string; version: number }> {
      const answer = await world.call('tasks', { method: 'PUT', resource: '/tasks/{task_uid}', pathParameters: { task_uid: taskUid }, body: { manager_uid: managerUid } });
      expectStatus(answer, 200, 'PUT /tasks/{task_uid}');
      return answer.body;
    },

    /** hiring `POST /candidates` -> candidate_uid (NewCandidate v0 in the hiring outbox). */
    async createCandidate(name = 'Grace'): Promise<string> {
      const answer = await world.call<{ candidate_uid: string }>('hiring', { method: 'POST', resource: '/candidates', body: { name, surname: 'Hopper' } });
      expectStatus(answer, 201, 'POST /candidates');
      return answer.body.candidate_uid;
    },

    /** tasks `POST /tasks/{task_uid}/assignments` (assign_task call to hiring). */
    async assign(taskUid: string, candidateUid: string): Promise<void> {
      const answer = await world.call('tasks', {
        method: 'POST',
        resource: '/tasks/{task_uid}/assignments',
        pathParameters: { task_uid: taskUid },
        body: { candidate_uid: candidateUid },
      });
      expectStatus(answer, 201, 'POST /tasks/{task_uid}/assignments');
    },

    /** hiring `PUT /tasks/{task_uid}/rating` (rating call to bonus); answers 200 even when bonus is down. */
    async rate(taskUid: string, rating: number): Promise<{ task_uid: string; rating: number; version: number }> {
      const answer = await world.call('hiring', { method: 'PUT', resource: '/tasks/{task_uid}/rating', pathParameters: { task_uid: taskUid }, body: { rating } });
      expectStatus(answer, 200, 'PUT /tasks/{task_uid}/rating');
      return answer.body;
    },

    /** hiring `POST /tasks/{task_uid}/solutions` (TaskSolved v0 in the hiring outbox). */
    async solve(taskUid: string, candidateUid: string): Promise<{ task_manager_uid: string; solved_at: string }> {
      const answer = await world.call('hiring', {
        method: 'POST',
        resource: '/tasks/{task_uid}/solutions',
        pathParameters: { task_uid: taskUid },
        body: { candidate_uid: candidateUid },
      });
      expectStatus(answer, 201, 'POST /tasks/{task_uid}/solutions');
      return answer.body;
    },

    /** bonus `GET /managers/{manager_uid}/balance`. */
    async balance(managerUid: string): Promise<BalanceAnswer> {
      const answer = await world.call<BalanceAnswer>('bonus', { method: 'GET', resource: '/managers/{manager_uid}/balance', pathParameters: { manager_uid: managerUid } });
      expectStatus(answer, 200, 'GET /managers/{manager_uid}/balance');
      return answer.body;
    },

    /** bonus `GET /managers/{manager_uid}/ledger`, every page (newest first). */
    async ledger(managerUid: string): Promise<LedgerEntry[]> {
      const entries: LedgerEntry[] = [];
      let cursor: string | undefined;
      do {
        const answer = await world.call<LedgerAnswer>('bonus', {
          method: 'GET',
          resource: '/managers/{manager_uid}/ledger',
          pathParameters: { manager_uid: managerUid },
          query: { limit: '100', ...(cursor ? { cursor } : {}) },
        });
        expectStatus(answer, 200, 'GET /managers/{manager_uid}/ledger');
        entries.push(...answer.body.entries);
        cursor = answer.body.next_cursor;
      } while (cursor);
      return entries;
    },

    /**
     * A manager with a task, and `candidates` candidates known to tasks (events pumped), the first
     * one assigned to the task.
     */
    async taskWithAssignedCandidate(candidates = 1) {
      const managerUid = await this.createManager();
      const taskUid = await this.createTask(managerUid);
      const candidateUids: string[] = [];
      for (let i = 0; i < candidates; i += 1) candidateUids.push(await this.createCandidate(`Grace${i}`));
      await world.bus.pump();
      await this.assign(taskUid, candidateUids[0]!);
      return { managerUid, taskUid, candidateUid: candidateUids[0]!, candidateUids };
    },
  };
}
