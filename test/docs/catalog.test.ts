import { readFileSync } from 'node:fs';
import { Parser } from '@asyncapi/parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { FINAL_STEPS, MIGRATION_IDS, MIGRATIONS } from '../../lambdas/shared/migrations/steps.js';
import { asyncapiDocument } from '../../scripts/docs/asyncapiDocument.js';
import { buildCatalog, parseContext } from '../../scripts/docs/buildCatalog.js';
import { buildLinkTimelines, walkOthers } from '../../scripts/docs/linkTimelines.js';
import { readMigrationNotes } from '../../scripts/docs/migrationNotes.js';
import { openapiDocument } from '../../scripts/docs/openapiDocument.js';
import type { Catalog, LinkTimeline, StateItem } from '../../scripts/docs/types.js';

/**
 * The generator at a step other than the final one (synthesized in process, as `npm run docs -c
 * migration.<link>=N` does), and the link timelines it computes from the migration plan.
 */
const texts = (items: readonly StateItem[]) => items.map((i) => `${i.kind}: ${i.text}`);
const key = (event: { key: string }) => event.key;

describe('the catalog in the middle of migrations', () => {
  // task-created-v1 6: the consumer takes v0 and v1, tasks still publishes v0.
  // manager-stream 2 (manager-login held at 0): bonus consumes ManagerUpdated v0 that nobody publishes yet, and still calls get_manager.
  let catalog: Catalog;
  beforeAll(() => {
    catalog = buildCatalog(parseContext(['migration.task-created-v1=6', 'migration.manager-stream=2', 'migration.manager-login=0']));
  }, 120_000);

  it('reads every event version from the template at those steps: producers, consumer chains, registry', () => {
    expect(catalog.final).toBe(false);
    expect(catalog.steps).toMatchObject({ 'migration.task-created-v1': 6, 'migration.manager-stream': 2, 'migration.manager-login': 0 });
    const byKey = Object.fromEntries(catalog.events.map((e) => [e.key, e]));
    const v0 = byKey['TaskCreated.v0']!;
    const v1 = byKey['TaskCreated.v1']!;
    expect([v0.registered, v1.registered]).toEqual([true, true]);
    expect(v0.producers.map((p) => p.service)).toEqual(['tasks']);
    expect(v1.producers).toEqual([]);
    for (const event of [v0, v1]) {
      expect(event.consumers.map((c) => [c.service, c.versions])).toEqual([['bonus', ['0', '1']]]);
      const [consumer] = event.consumers;
      expect(consumer!.rule.pattern).toEqual({ source: ['hiring-events.tasks'], 'detail-type': ['TaskCreated'], detail: { event_version: ['0', '1'] } });
      // Names come from the template: the queue's physical name, the construct paths of the rest.
      expect(consumer!.queue.name).toMatch(/BonusFromTasks/);
      expect([consumer!.function.path, consumer!.deadLetterQueue?.path]).toEqual(['BonusFromTasks/Function', 'BonusFromTasks/DeadLetterQueue']);
    }
    const manager = byKey['ManagerUpdated.v0']!;
    expect([manager.registered, manager.producers, manager.consumers.map((c) => c.service)]).toEqual([true, [], ['bonus', 'hiring']]);
    expect(byKey['ManagerUpdated.v1']!.registered).toBe(false);
    expect(catalog.events.filter((e) => e.registered).map(key)).toEqual(['ManagerUpdated.v0', 'NewCandidate.v0', 'TaskCreated.v0', 'TaskCreated.v1', 'TaskSolved.v0', 'TaskUpdateRequested.v0']);
  });

  it('puts both TaskCreated versions in the AsyncAPI document, which the parser accepts', async () => {
    const document = asyncapiDocument(catalog) as { channels: Record<string, unknown>; operations: Record<string, { action: string }> };
    expect(Object.keys(document.channels)).toEqual(expect.arrayContaining(['TaskCreated.v0', 'TaskCreated.v1', 'ManagerUpdated.v0']));
    expect(Object.keys(document.channels)).not.toContain('ManagerUpdated.v1');
    expect(Object.keys(document.operations).filter((id) => id.startsWith('TaskCreated.v1.')).map((id) => document.operations[id]!.action)).toEqual(['receive']);
    const { diagnostics } = await new Parser().parse(JSON.stringify(document));
    expect(diagnostics.filter((d) => d.severity <= 1).map((d) => d.message)).toEqual([]);
  }, 120_000);

  it('documents the legacy get_manager route as internal, called by bonus', () => {
    const tasks = catalog.apis.find((a) => a.service === 'tasks')!;
    const getManager = tasks.routes.find((r) => r.method === 'GET' && r.path === '/internal/managers/{manager_uid}')!;
    expect(getManager).toMatchObject({ internal: true, callers: ['bonus'], authorization: 'AWS_IAM', idempotent: false });
    const paths = (openapiDocument(catalog) as { paths: Record<string, Record<string, { 'x-internal'?: boolean }>> }).paths;
    expect(paths['/internal/managers/{manager_uid}']!.get!['x-internal']).toBe(true);
  });
});

describe('link timelines', () => {
  const notes = readMigrationNotes(readFileSync('MIGRATIONS.md', 'utf8'));
  const timelines = buildLinkTimelines(notes);
  const link = (id: string) => timelines.find((t) => t.id === id)!;
  const step = (timeline: LinkTimeline, n: number) => timeline.steps[n]!;

  it('has the six links with every step and MIGRATIONS.md\'s note for it', () => {
    expect(timelines.map((t) => [t.key, t.steps.length])).toEqual(MIGRATION_IDS.map((id) => [MIGRATIONS[id].key, MIGRATIONS[id].last + 1]));
    for (const timeline of timelines) {
      expect(timeline.title, timeline.key).not.toBe('');
      for (const s of timeline.steps) expect(s.note, `${timeline.key} ${s.step}`).not.toBe('');
    }
  });

  it('says what each step adds and removes, from the plan', () => {
    const created = link('taskCreatedV1');
    expect(texts(step(created, 5).added)).toEqual(['schema: TaskCreated.v1 in the Schema Registry']);
    expect(texts(step(created, 6).added)).toEqual(['consumer: bonus consumes TaskCreated.v1 from tasks']);
    expect([texts(step(created, 7).added), texts(step(created, 7).removed)]).toEqual([['producer: tasks publishes TaskCreated.v1'], ['producer: tasks publishes TaskCreated.v0']]);
    expect([step(created, 8).added, step(created, 8).removed]).toEqual([[], []]);
    expect(texts(step(created, 10).removed)).toEqual(['schema: TaskCreated.v0 in the Schema Registry']);

    const stream = link('managerStream');
    expect(texts(step(stream, 4).removed)).toEqual([expect.stringMatching(/^call: bonus calls tasks GET \/internal\/managers\/\{manager_uid\}/)]);
    expect(texts(step(stream, 5).removed)).toEqual(['route: tasks GET /internal/managers/{manager_uid}']);

    const updated = link('taskUpdated');
    expect(texts(step(updated, 1).added)).toEqual(['route: hiring PUT /internal/tasks/{task_uid}']);
    expect(texts(step(updated, 2).added)).toEqual([expect.stringMatching(/^call: tasks calls hiring PUT \/internal\/tasks\/\{task_uid\}/)]);
    expect(texts(step(updated, 2).removed)).toEqual(['producer: tasks publishes TaskUpdated.v0']);
    // Every item about an event version names it, so the page can show the event's history.
    for (const timeline of timelines) {
      for (const s of timeline.steps) for (const item of [...s.added, ...s.removed]) if (['schema', 'producer', 'consumer'].includes(item.kind)) expect(item.event).toMatch(/^\w+\.v\d+$/);
    }
  });

  it('walks manager-stream with manager-login held at 0 (its constraint), every other link at its final step', () => {
    expect(walkOthers('managerStream')).toEqual({ ...FINAL_STEPS, managerLogin: 0 });
    expect(walkOthers('taskCreatedV1')).toEqual(FINAL_STEPS);
    expect(link('managerStream').others).toMatchObject({ 'migration.manager-login': 0, 'migration.task-created-v1': 10 });
  });

  it('fails naming the link and step when MIGRATIONS.md lacks a row', () => {
    const markdown = readFileSync('MIGRATIONS.md', 'utf8').replace(/^\| 8 \| `=8` \| wait for the v0 events to drain.*$/m, '');
    expect(() => buildLinkTimelines(readMigrationNotes(markdown))).toThrow('MIGRATIONS.md: the table of migration.task-created-v1 has no row for step 8');
  });
});
