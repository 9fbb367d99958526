import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchWriteCommand, QueryCommand, ScanCommand, type NativeAttributeValue } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { CHECKPOINT_PK_PREFIX, InjectedCrash, runBackfill } from '../../../scripts/migrations/backfill.js';
import { FINAL_STEPS } from '../../../lambdas/shared/migrations/steps.js';
import { runMigrate } from '../../../scripts/migrations/runMigrate.js';
import { copyManagerLoginsSpec, dropManagerNamesSpec, publishManagersSpec, splitTaskTitlesSpec } from '../../../scripts/migrations/specs.js';
import { localClients, uniqueName } from '../../support/aws.js';
import { createServiceTable } from '../support/serviceTable.js';

type Item = Record<string, NativeAttributeValue>;
const { dynamodb, doc } = localClients();

async function putAll(tableName: string, items: Item[]): Promise<void> {
  const chunks: Item[][] = [];
  for (let i = 0; i < items.length; i += 25) chunks.push(items.slice(i, i + 25));
  for (let i = 0; i < chunks.length; i += 16) {
    await Promise.all(
      chunks.slice(i, i + 16).map(async (chunk) => {
        let pending: Item[] = chunk.map((Item) => ({ PutRequest: { Item } }));
        while (pending.length > 0) {
          const out = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
          pending = (out.UnprocessedItems?.[tableName] ?? []) as Item[];
        }
      }),
    );
  }
}

async function scanAll(tableName: string): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: Item | undefined;
  do {
    const page = await doc.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: startKey, ConsistentRead: true }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/**
 * Enough rows for several pages per scan segment and a crash in the middle of a page; the proof
 * (each row split exactly once across a crash and a resume) does not grow with the row count, the
 * run time on DynamoDB Local does (~300 conditional writes/s on 2 cores).
 */
const TASKS = 1_000;

/**
 * Task rows as tasks stored them before the split: every title `"[Area <n % 37>] [Level <n % 3>] Task <n>"`.
 * The second bracket makes a double application visible: split twice, the knowledge area would become `Level …`.
 */
function legacyTask(n: number): Item {
  const uid = randomUUID();
  return { pk: `TASK#${uid}`, sk: 'TASK', item_type: 'task', task_uid: uid, title: `[Area ${n % 37}] [Level ${n % 3}] Task ${n}`, knowledge_area: n % 2 ? '' : undefined, n };
}

describe('split-task-titles on DynamoDB Local', () => {
  const tableName = uniqueName('split-titles');
  beforeAll(async () => {
    await createServiceTable(dynamodb, tableName);
    const others: Item[] = [
      // Already split (new rows from step 2 on), no prefix at all, and rows that are not tasks.
      { pk: 'TASK#split', sk: 'TASK', title: 'Already split', knowledge_area: 'Go' },
      { pk: 'TASK#plain', sk: 'TASK', title: 'No area here', knowledge_area: '' },
      { pk: 'TASK#legacy', sk: 'UPDATE_REQUEST#1', title: '[Not] a task row' },
      { pk: 'MANAGER#1', sk: 'MANAGER', title: '[Not] a task row' },
    ];
    await putAll(tableName, [...Array.from({ length: TASKS }, (_, n) => legacyTask(n)), ...others]);
  }, 120_000);

  it('dry run counts and writes nothing', async () => {
    const counts = await runBackfill(splitTaskTitlesSpec(tableName), { doc, dryRun: true, segments: 4, pageSize: 1000 });
    expect(counts).toMatchObject({ matched: TASKS, updated: TASKS, alreadyDone: 0 });
    const { Items } = await doc.send(new QueryCommand({ TableName: tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `${CHECKPOINT_PK_PREFIX}split-task-titles` } }));
    expect(Items).toEqual([]);
  });

  it('crashes in the middle, resumes from its checkpoints, and splits every title exactly once', async () => {
    const progress: number[] = [];
    const crash = runBackfill(splitTaskTitlesSpec(tableName), { doc, segments: 4, pageSize: 50, failAfterWrites: 400, onProgress: (c) => progress.push(c.updated) });
    await expect(crash).rejects.toBeInstanceOf(InjectedCrash);
    expect(progress.length).toBeGreaterThan(0);

    const midway = (await scanAll(tableName)).filter((i) => typeof i.n === 'number');
    const splitMidway = midway.filter((i) => i.knowledge_area);
    expect(splitMidway.length).toBeGreaterThanOrEqual(400);
    expect(splitMidway.length).toBeLessThan(TASKS);
    const checkpoints = (await scanAll(tableName)).filter((i) => String(i.pk).startsWith(CHECKPOINT_PK_PREFIX));
    expect(checkpoints.length).toBeGreaterThan(0);
    expect(checkpoints.some((c) => !c.done)).toBe(true);

    const resumed = await runBackfill(splitTaskTitlesSpec(tableName), { doc, segments: 4, pageSize: 50 });
    expect(resumed.resumedSegments).toBeGreaterThan(0);
    // The resumed run only touched what the crashed one had not: together they split each row once.
    expect(resumed.updated).toBe(TASKS - splitMidway.length);
    expect(resumed.scanned).toBeLessThan(TASKS);

    const after = await scanAll(tableName);
    const tasks = after.filter((i) => typeof i.n === 'number');
    expect(tasks).toHaveLength(TASKS);
    for (const task of tasks) {
      const n = Number(task.n);
      expect({ knowledge_area: task.knowledge_area, title: task.title }).toEqual({ knowledge_area: `Area ${n % 37}`, title: `[Level ${n % 3}] Task ${n}` });
    }
    const byPk = new Map(after.map((i) => [`${i.pk}|${i.sk}`, i]));
    expect(byPk.get('TASK#split|TASK')).toMatchObject({ title: 'Already split', knowledge_area: 'Go' });
    expect(byPk.get('TASK#plain|TASK')).toMatchObject({ title: 'No area here', knowledge_area: '' });
    expect(byPk.get('TASK#legacy|UPDATE_REQUEST#1')).toMatchObject({ title: '[Not] a task row' });
    expect(byPk.get('MANAGER#1|MANAGER')!.knowledge_area).toBeUndefined();
  }, 150_000); // ~7 s on an idle 2-core machine; DynamoDB Local is the bottleneck

  it('run again, changes nothing (idempotent)', async () => {
    const again = await runBackfill(splitTaskTitlesSpec(tableName), { doc, segments: 2, pageSize: 1000 });
    expect(again).toMatchObject({ matched: 0, updated: 0, resumedSegments: 0 });
  });
});

describe('copy-manager-logins and drop-manager-names on DynamoDB Local', () => {
  const hiring = uniqueName('copy-logins-hiring');
  const tasks = uniqueName('copy-logins-tasks');
  const MANAGERS = 300;
  const uids = Array.from({ length: MANAGERS }, () => randomUUID());

  beforeAll(async () => {
    await Promise.all([createServiceTable(dynamodb, hiring), createServiceTable(dynamodb, tasks)]);
    await putAll(
      tasks,
      uids.map((uid, n) => ({ pk: `MANAGER#${uid}`, sk: 'MANAGER', manager_uid: uid, name: `N${n}`, surname: `S${n}`, login: `login-${n}`, version: 1 })),
    );
    const known = uids.map((uid, n) => ({
      pk: `MANAGER#${uid}`,
      sk: 'MANAGER',
      item_type: 'manager',
      manager_uid: uid,
      name: `N${n}`,
      surname: `S${n}`,
      version: 1,
      // A few already got a newer login from a v1 event: the copy must not overwrite it.
      ...(n % 250 === 0 ? { login: `newer-${n}` } : {}),
    }));
    const unknownToTasks = { pk: 'MANAGER#gone', sk: 'MANAGER', item_type: 'manager', manager_uid: 'gone', name: 'Gone', surname: 'Away', version: 1 };
    await putAll(hiring, [...known, unknownToTasks]);
  }, 120_000);

  it('copies the logins of the managers hiring knows once, across a crash, and never overwrites a newer login', async () => {
    const spec = copyManagerLoginsSpec(doc, hiring, tasks);
    await expect(runBackfill(spec, { doc, segments: 3, pageSize: 30, failAfterWrites: 120 })).rejects.toBeInstanceOf(InjectedCrash);
    const resumed = await runBackfill(spec, { doc, segments: 3, pageSize: 30 });
    expect(resumed.resumedSegments).toBeGreaterThan(0);

    const rows = new Map((await scanAll(hiring)).filter((i) => i.sk === 'MANAGER').map((i) => [i.manager_uid as string, i]));
    for (const [n, uid] of uids.entries()) expect(rows.get(uid)!.login).toBe(n % 250 === 0 ? `newer-${n}` : `login-${n}`);
    expect(rows.get('gone')!.login).toBeUndefined();
    // `gone` (tasks has no such manager) is the one row still matched, and skipped again.
    expect(await runBackfill(spec, { doc, segments: 3 })).toMatchObject({ updated: 0, matched: 1, skipped: 1 });
  }, 120_000);

  it('drops name and surname only where a login is there to show', async () => {
    const counts = await runBackfill(dropManagerNamesSpec(hiring), { doc, segments: 2, pageSize: 100 });
    expect(counts).toMatchObject({ updated: MANAGERS, skipped: 1 });
    const rows = (await scanAll(hiring)).filter((i) => i.sk === 'MANAGER');
    for (const row of rows) {
      if (row.manager_uid === 'gone') expect(row).toMatchObject({ name: 'Gone', surname: 'Away' });
      else expect([row.name, row.surname, typeof row.login]).toEqual([undefined, undefined, 'string']);
    }
  }, 120_000);
});

describe('publish-managers on DynamoDB Local', () => {
  it('writes one outbox event per manager; a rerun at the same step writes nothing, a rerun publishing the other version writes new events', async () => {
    const tableName = uniqueName('publish-managers');
    await createServiceTable(dynamodb, tableName);
    const managers = Array.from({ length: 25 }, (_, n) => ({
      pk: `MANAGER#${randomUUID()}`,
      sk: 'MANAGER',
      name: `Name${n}`,
      surname: 'Surname',
      login: `login${n}`,
      payout_account: `ACC-${n}`,
      version: 3,
      created_at: '2026-11-01T00:00:00.000Z',
      updated_at: '2026-11-02T00:00:00.000Z',
    })).map((m) => ({ ...m, manager_uid: m.pk.slice('MANAGER#'.length) }));
    await putAll(tableName, managers);
    const outbox = async () => (await scanAll(tableName)).filter((i) => i.item_type === 'outbox');
    const publish = (managerLogin: number) => runBackfill(publishManagersSpec(tableName, { ...FINAL_STEPS, managerStream: 3, managerLogin }), { doc, segments: 2, restart: true });

    expect((await publish(0)).updated).toBe(25);
    expect((await publish(0)).updated).toBe(0);
    const v0 = await outbox();
    expect(v0.map((row) => row.event.event_version)).toEqual(Array(25).fill('0'));

    // The deploy had moved on to manager-login 5 (v1): the rerun with the right flag is not swallowed by the v0 rows.
    expect((await publish(5)).updated).toBe(25);
    const rows = await outbox();
    expect(rows).toHaveLength(50);
    const v1 = rows.filter((row) => row.event.event_version === '1');
    expect(v1.map((row) => row.event.payload.login).sort()).toEqual(managers.map((m) => m.login).sort());
    expect(new Set(rows.map((row) => row.event.event_id)).size).toBe(50);
  }, 60_000);
});

describe('npm run migrate (the CLI, in process)', () => {
  const tasksTable = uniqueName('cli-tasks');
  const bonusTable = uniqueName('cli-bonus');
  const emptyFolder = mkdtempSync(join(tmpdir(), 'migrate-cli-'));
  const cli = async (...args: string[]) => {
    let stderr = '';
    const collect = { write: (text: string) => (stderr += text) };
    const code = await runMigrate(args, { stdout: collect, stderr: collect, dynamodb, cwd: emptyFolder });
    return { code, stderr };
  };

  beforeAll(async () => {
    await Promise.all([createServiceTable(dynamodb, tasksTable), createServiceTable(dynamodb, bonusTable)]);
    await putAll(tasksTable, Array.from({ length: 600 }, (_, n) => legacyTask(n)));
    await putAll(bonusTable, Array.from({ length: 100 }, (_, n) => legacyTask(n)));
  }, 60_000);

  it('dry-runs, crashes with --fail-after, resumes, and reports counts with a progress bar', async () => {
    const tables = ['--tasks-table', tasksTable, '--bonus-table', bonusTable];
    const dry = await cli('split-task-titles', '--dry-run', ...tables);
    expect(dry.code).toBe(0);
    expect(dry.stderr).toMatch(new RegExp(`split-task-titles \\(dry run\\) ${tasksTable} \\[#+\\] 100% scanned 600/~600\\s+matched 600\\s+updated 600`));

    const crashed = await cli('split-task-titles', '--fail-after', '450', '--segments', '2', ...tables);
    expect(crashed.code).toBe(1);
    expect(crashed.stderr).toMatch(/injected crash after 450 writes: run the same command again to resume/);

    const resumed = await cli('split-task-titles', '--segments', '2', ...tables);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/resumed \d segment\(s\) from their checkpoints/);
    for (const table of [tasksTable, bonusTable]) {
      const rows = (await scanAll(table)).filter((i) => typeof i.n === 'number');
      expect(rows.every((r) => r.knowledge_area === `Area ${Number(r.n) % 37}`)).toBe(true);
    }
    // A step-dependent command without its step refuses to guess, naming the flag.
    // (--from local in a folder without a running runtime or an assembly: nothing deployed to read.)
    const guessed = await cli('publish-managers', '--tasks-table', tasksTable, '--from', 'local');
    expect(guessed.code).toBe(1);
    expect(guessed.stderr).toMatch(/publish-managers depends on the deployed migration\.manager-login step and will not guess it: the deployed steps could not be read \(.+\); pass --manager-login <step>/);
    const missingTable = await cli('copy-manager-logins', '--hiring-table', 'no-such-table', '--tasks-table', tasksTable);
    expect(missingTable.code).toBe(1);
    expect(missingTable.stderr).toMatch(/migrate failed/);
  }, 240_000);
});
