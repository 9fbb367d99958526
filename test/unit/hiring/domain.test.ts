import { describe, expect, it } from 'vitest';
import { candidateView } from '../../../lambdas/hiring/domain/candidateView.js';
import { managerDisplayName } from '../../../lambdas/hiring/domain/managerDisplayName.js';
import type { AssignmentItem, CandidateItem, ManagerItem, TaskItem } from '../../../lambdas/hiring/keys.js';

describe('managerDisplayName', () => {
  it('is the login when there is one', () => {
    expect(managerDisplayName({ login: 'ada.lovelace', name: 'Ada', surname: 'Lovelace' })).toBe('ada.lovelace');
  });

  it('never falls back to "name surname" once the login migration is done (step 8 on)', () => {
    expect(managerDisplayName({ name: 'Ada', surname: 'Lovelace' })).toBeNull();
    expect(managerDisplayName({ login: '  ', name: 'Ada' })).toBeNull();
    expect(managerDisplayName({ login: '', name: 'Ada', surname: 'Lovelace' })).toBeNull();
  });

  it('is null when nothing is known', () => {
    expect(managerDisplayName(undefined)).toBeNull();
    expect(managerDisplayName({})).toBeNull();
  });
});

describe('candidateView', () => {
  const candidate: CandidateItem = {
    pk: 'CANDIDATE#c', sk: 'PROFILE', item_type: 'candidate', candidate_uid: 'c', name: 'Grace', surname: 'Hopper', created_at: '2025-01-01T00:00:00.000Z',
  };
  const assignment = (task_uid: string, assigned_at: string, solved_at?: string): AssignmentItem => ({
    pk: 'CANDIDATE#c', sk: `ASSIGNMENT#${task_uid}`, item_type: 'assignment', assignment_id: `a-${task_uid}`, candidate_uid: 'c', task_uid, assigned_at,
    ...(solved_at ? { solved_at } : {}),
  });
  const task: TaskItem = {
    pk: 'TASK#t1', sk: 'TASK', item_type: 'task', task_uid: 't1', title: 'Sort', knowledge_area: 'Algorithms', manager_uid: 'm1', version: 3, updated_at: '',
  };
  const manager: ManagerItem = { pk: 'MANAGER#m1', sk: 'MANAGER', item_type: 'manager', manager_uid: 'm1', login: 'ada', version: 1 };

  it('joins assignments with task and manager copies, oldest first, solved_at only when solved', () => {
    const view = candidateView(
      candidate,
      [assignment('t2', '2025-02-02T00:00:00Z'), assignment('t1', '2025-02-01T00:00:00Z', '2025-02-03T00:00:00Z')],
      new Map([['t1', task]]),
      new Map([['m1', manager]]),
    );
    expect(view).toEqual({
      candidate_uid: 'c',
      name: 'Grace',
      surname: 'Hopper',
      tasks: [
        { task_uid: 't1', title: 'Sort', knowledge_area: 'Algorithms', manager: { manager_uid: 'm1', display_name: 'ada' }, assigned_at: '2025-02-01T00:00:00Z', solved_at: '2025-02-03T00:00:00Z' },
        { task_uid: 't2', title: null, knowledge_area: null, manager: null, assigned_at: '2025-02-02T00:00:00Z' },
      ],
    });
  });

  it('shows a null display name while the manager copy has not arrived', () => {
    const view = candidateView(candidate, [assignment('t1', '2025-02-01T00:00:00Z')], new Map([['t1', task]]), new Map());
    expect(view.tasks[0]?.manager).toEqual({ manager_uid: 'm1', display_name: null });
  });
});
