import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
});

import { managerBody, tasksApiHarness, type TasksApiHarness } from '../tasks/setup.js';
import { concurrently, expectOnly2xxOr409, useConflictLayer, withConflicts } from './conflictLayer.js';

/**
 * Many clients writing the same tasks item at once, with DynamoDB's transaction conflicts emulated
 * (the layer the offline runtime puts in front of DynamoDB Local): every answer is a 2xx or a
 * documented 409, nothing is lost or doubled, idempotency keys still hold.
 */
const layer = useConflictLayer();
let h: TasksApiHarness;
const WRITERS = 10;

beforeAll(async () => {
  h = await tasksApiHarness({ doc: layer.doc });
});

const outboxOf = async (eventName: string, field: string, value: string) =>
  (await h.table.rows('OUTBOX#'))
    .map((row) => row.event as { event_name: string; payload: Record<string, unknown> })
    .filter((event) => event.event_name === eventName && event.payload[field] === value);

// Each storm ends within the retry budget (8 s) per writer; the ceiling leaves room for a machine many times busier.
describe('contention on tasks write routes (transaction conflicts emulated)', { timeout: 120_000 }, () => {
  it('POST /managers: one Idempotency-Key sent by 6 clients at once -> one manager, every 201 names it', async () => {
    const key = `mgr-${randomUUID()}`;
    const body = managerBody();
    const answers = await concurrently(6, () => h.api.createManager(body, { 'Idempotency-Key': key }));
    const created = expectOnly2xxOr409(answers, ['request_in_progress']);
    expect(new Set(created.map((a) => a.body.manager_uid)).size).toBe(1);
    expect(await outboxOf('ManagerUpdated', 'login', body.login)).toHaveLength(1);
  });

  it(`PUT /managers/{manager_uid}: ${WRITERS} updates at once -> every 200 is its own version, the stored manager is the newest one's, one ManagerUpdated each`, async () => {
    const managerUid = await h.givenManager();
    const answers = await withConflicts(layer, () => concurrently(WRITERS, (i) => h.api.updateManager(managerUid, { surname: `Surname${i}` })));
    const updated = expectOnly2xxOr409(answers);
    const versions = updated.map((a) => a.body.version as number).sort((a, b) => a - b);
    expect(versions).toEqual(Array.from({ length: updated.length }, (_, i) => i + 2)); // none lost: one version per 200
    const newest = updated.find((a) => a.body.version === updated.length + 1)!;
    expect(await h.table.get(`MANAGER#${managerUid}`, 'MANAGER')).toMatchObject({ version: updated.length + 1, surname: newest.body.surname });
    const events = await outboxOf('ManagerUpdated', 'manager_uid', managerUid);
    expect(events.map((e) => e.payload.version).sort()).toEqual([1, ...versions].sort());
  });

  it(`POST /tasks: ${WRITERS} tasks for one manager at once (each checks the manager) -> every 201 stored with its TaskCreated`, async () => {
    const managerUid = await h.givenManager();
    const keys = Array.from({ length: WRITERS }, () => `task-${randomUUID()}`);
    const body = (i: number) => ({ title: `Task ${i}`, knowledge_area: 'Go', manager_uid: managerUid });
    const answers = await withConflicts(layer, () => concurrently(WRITERS, (i) => h.api.createTask(body(i), { 'Idempotency-Key': keys[i]! })));
    const created = expectOnly2xxOr409(answers);
    // Idempotency holds: a key that got its 201 replays it (no second task).
    const i = answers.findIndex((a) => a.status === 201);
    const replay = await h.api.createTask(body(i), { 'Idempotency-Key': keys[i]! });
    expect(replay).toMatchObject({ status: 201, body: answers[i]!.body, headers: { 'idempotent-replayed': 'true' } });
    expect(created.length).toBeGreaterThan(0);
    for (const a of answers) {
      const stored = await h.table.get(`TASK#${a.body.task_uid}`, 'TASK');
      if (a.status === 201) expect(stored).toMatchObject({ manager_uid: managerUid });
    }
    const events = (await h.table.rows('OUTBOX#')).map((row) => row.event as { event_name: string; payload: Record<string, unknown> }).filter((e) => e.event_name === 'TaskCreated');
    const ours = events.filter((e) => created.some((a) => a.body.task_uid === e.payload.task_uid));
    expect(ours).toHaveLength(created.length);
  });

  it(`PUT /tasks/{task_uid}: ${WRITERS} updates at once, with a manager update racing the tasks' manager checks -> one version per 200, newest stored, one update_task call each`, async () => {
    const managerUid = await h.givenManager();
    const taskUid = await h.givenTask({ manager_uid: managerUid });
    const [answers, managerUpdates] = await withConflicts(layer, () =>
      Promise.all([
        concurrently(WRITERS, (i) => h.api.updateTask(taskUid, { title: `Title ${i}`, manager_uid: managerUid })),
        concurrently(3, (i) => h.api.updateManager(managerUid, { name: `Name${i}` })),
      ]),
    );
    expectOnly2xxOr409(managerUpdates);
    const updated = expectOnly2xxOr409(answers);
    const versions = updated.map((a) => a.body.version as number).sort((a, b) => a - b);
    expect(versions).toEqual(Array.from({ length: updated.length }, (_, i) => i + 2));
    const newest = updated.find((a) => a.body.version === updated.length + 1)!;
    expect(await h.table.get(`TASK#${taskUid}`, 'TASK')).toMatchObject({ version: updated.length + 1, title: newest.body.title });
    // The push to hiring: one recorded call per applied version, carrying that version.
    const calls = (await h.table.rows('CALL#')).filter((row) => row.path === `/internal/tasks/${taskUid}`);
    expect(calls.map((c) => (c.body as { version: number }).version).sort((a, b) => a - b)).toEqual([1, ...versions]);
  });

  it('POST /tasks/{task_uid}/assignments: one candidate assigned by 6 clients at once with their own keys -> one 201, the others 409 already_assigned, one assign_task call', async () => {
    const taskUid = await h.givenTask();
    const candidateUid = randomUUID();
    await h.doc.send(
      new PutCommand({
        TableName: h.tableName,
        Item: { pk: `CANDIDATE#${candidateUid}`, sk: 'CANDIDATE', item_type: 'candidate', candidate_uid: candidateUid, name: 'M', surname: 'B', registered_at: new Date().toISOString() },
      }),
    );
    const answers = await withConflicts(layer, () =>
      concurrently(6, () => h.api.assign(taskUid, { candidate_uid: candidateUid }, { 'Idempotency-Key': `assign-${randomUUID()}` })),
    );
    const created = expectOnly2xxOr409(answers, ['already_assigned']);
    expect(created).toHaveLength(1);
    const calls = (await h.table.rows('CALL#')).filter((row) => row.path === '/internal/assignments' && (row.body as { task_uid: string }).task_uid === taskUid);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.body).toMatchObject({ assignment_id: created[0]!.body.assignment_id, candidate_uid: candidateUid });
  });
});
