import { describe, expect, it } from 'vitest';
import { changeManager, managerUpdatedPayload, newManager } from '../../../lambdas/tasks/domain/manager.js';
import { changeTask, hiringTaskBody, newTask, taskCreatedPayload, taskView } from '../../../lambdas/tasks/domain/task.js';

const t0 = new Date('2026-01-01T00:00:00.000Z');
const t1 = new Date('2026-01-02T00:00:00.000Z');
const MANAGER = '9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f';
const TASK = '2b1f7c4e-8d3a-4f6b-9c2e-1a0d5e7f8b9c';

describe('manager rules', () => {
  it('starts at version 1 and bumps by one per change, keeping fields not given', () => {
    const manager = newManager(MANAGER, { name: 'Ada', surname: 'L', login: 'ada', payout_account: 'A1' }, t0);
    expect(manager).toMatchObject({ version: 1, created_at: t0.toISOString(), updated_at: t0.toISOString() });
    const changed = changeManager(manager, { login: 'ada2' }, t1);
    expect(changed).toMatchObject({ name: 'Ada', login: 'ada2', version: 2, created_at: t0.toISOString(), updated_at: t1.toISOString() });
    expect(managerUpdatedPayload(changed)).toEqual({ manager_uid: MANAGER, login: 'ada2', payout_account: 'A1', version: 2 });
  });
});

describe('task rules', () => {
  it('starts at version 1; a change bumps it and clears needs_update', () => {
    const task = newTask(TASK, { title: 'T', knowledge_area: 'Go', manager_uid: MANAGER }, t0);
    expect(task).toMatchObject({ version: 1, needs_update: false });
    expect(task).not.toHaveProperty('description');
    const flagged = { ...task, needs_update: true };
    const changed = changeTask(flagged, { description: 'd' }, t1);
    expect(changed).toMatchObject({ version: 2, needs_update: false, description: 'd', title: 'T' });
  });

  it('pushes the full state with its version to hiring and announces creation with knowledge_area apart', () => {
    const task = changeTask(newTask(TASK, { title: 'T', knowledge_area: 'Go', manager_uid: MANAGER, description: 'x' }, t0), { title: 'T2' }, t1);
    expect(hiringTaskBody(task)).toEqual({ task_uid: TASK, title: 'T2', knowledge_area: 'Go', manager_uid: MANAGER, description: 'x', version: 2 });
    expect(taskCreatedPayload(task)).toEqual({ task_uid: TASK, knowledge_area: 'Go', title: 'T2', manager_uid: MANAGER });
  });

  it('lists update requests oldest first in the view', () => {
    const task = newTask(TASK, { title: 'T', knowledge_area: 'Go', manager_uid: MANAGER }, t0);
    const req = (id: string, at: string) => ({ request_id: id, task_uid: TASK, reason: 'r', requested_at: at, received_at: at });
    const view = taskView(task, [req('b', '2026-01-03T00:00:00Z'), req('a', '2026-01-02T00:00:00Z')]);
    expect((view.update_requests as { request_id: string }[]).map((r) => r.request_id)).toEqual(['a', 'b']);
  });
});
