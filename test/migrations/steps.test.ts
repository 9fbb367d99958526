import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { readMigrationState } from '../../lib/migrations/readMigrationState.js';
import { consumedEvents, liveSchemas, producedEvents } from '../../lambdas/shared/migrations/plan.js';
import { FINAL_STEPS, MIGRATION_IDS, MIGRATIONS, stepEnvironment, stepsFromEnv, type MigrationSteps } from '../../lambdas/shared/migrations/steps.js';

const stateOf = (context: Record<string, unknown>) => readMigrationState(new App({ context }).node);

describe('readMigrationState', () => {
  it('defaults every link to its last step (today\'s final state)', () => {
    expect(stateOf({})).toEqual({ managerStream: 5, taskUpdated: 5, taskUpdateRequest: 6, taskAssigned: 5, taskCreatedV1: 10, managerLogin: 10 });
    expect(stateOf({})).toEqual(FINAL_STEPS);
  });

  it('reads numbers and the strings `-c key=value` gives', () => {
    expect(stateOf({ 'migration.task-created-v1': '6', 'migration.task-updated': 2 })).toMatchObject({ taskCreatedV1: 6, taskUpdated: 2 });
  });

  it.each([
    ['migration.manager-stream', 6, /migration.manager-stream must be an integer step in 0..5, got 6/],
    ['migration.task-update-request', -1, /0..6, got -1/],
    ['migration.task-created-v1', 2.5, /0..10, got 2.5/],
    ['migration.manager-login', 'last', /0..10, got "last"/],
    ['migration.task-assigned', true, /0..5, got true/],
  ])('rejects %s=%j', (key, value, message) => {
    expect(() => stateOf({ [key]: value })).toThrow(message);
  });

  it('rejects the login migration on a manager stream tasks does not publish yet', () => {
    for (const stream of [0, 1, 2]) {
      expect(() => stateOf({ 'migration.manager-stream': stream })).toThrow(
        /impossible combination[\s\S]*migration.manager-login=10 needs migration.manager-stream >= 3/,
      );
      expect(() => stateOf({ 'migration.manager-stream': stream, 'migration.manager-login': 1 })).toThrow(/manager-login=1 needs/);
      expect(stateOf({ 'migration.manager-stream': stream, 'migration.manager-login': 0 })).toMatchObject({ managerStream: stream, managerLogin: 0 });
    }
    expect(stateOf({ 'migration.manager-stream': 3, 'migration.manager-login': 4 })).toMatchObject({ managerStream: 3, managerLogin: 4 });
  });

  it('fails the synth of the app with the same message', async () => {
    const { synthApp } = await import('../infra/appTemplates.js');
    expect(() => synthApp({ 'migration.manager-stream': 1 })).toThrow(/needs migration.manager-stream >= 3/);
  });
});

describe('step variables', () => {
  it('are set only for unfinished links and read back by the Lambdas', () => {
    expect(stepEnvironment(FINAL_STEPS, MIGRATION_IDS)).toEqual({});
    const steps: MigrationSteps = { ...FINAL_STEPS, taskCreatedV1: 6, managerStream: 0, managerLogin: 0 };
    const env = stepEnvironment(steps, MIGRATION_IDS);
    expect(env).toEqual({ MIGRATION_TASK_CREATED_V1_STEP: '6', MIGRATION_MANAGER_STREAM_STEP: '0', MIGRATION_MANAGER_LOGIN_STEP: '0' });
    expect(stepsFromEnv(env)).toEqual(steps);
    expect(stepsFromEnv({})).toEqual(FINAL_STEPS);
    expect(() => stepsFromEnv({ MIGRATION_TASK_UPDATED_STEP: '9' })).toThrow(/MIGRATION_TASK_UPDATED_STEP must be an integer step in 0..5/);
  });
});

/** Each link's walk: its steps in order, the other links at the values the walk needs. */
const WALKS: Array<{ id: (typeof MIGRATION_IDS)[number]; base: Partial<MigrationSteps> }> = [
  { id: 'managerStream', base: { managerLogin: 0 } },
  { id: 'taskUpdated', base: {} },
  { id: 'taskUpdateRequest', base: {} },
  { id: 'taskAssigned', base: {} },
  { id: 'taskCreatedV1', base: {} },
  { id: 'managerLogin', base: {} },
];

/** The consumers that must take each event (the routing the services are built for). */
const CONSUMERS_OF: Record<string, Array<keyof ReturnType<typeof consumedEvents>>> = {
  TaskCreated: ['bonusFromTasks'],
  NewCandidate: ['tasksFromHiring'],
  TaskSolved: ['bonusFromHiring'],
  ManagerUpdated: ['bonusFromTasks', 'hiringFromTasks'],
  TaskUpdated: ['hiringFromTasks'],
  TaskAssigned: ['hiringFromTasks'],
  TaskUpdateRequested: ['tasksFromHiring'],
};

/** Every (event, version) a producer may publish at `steps` (the plan's `producedEvents`), with the consumers that must take it. */
function produced(steps: MigrationSteps): Array<{ event: string; version: string; consumers: Array<keyof ReturnType<typeof consumedEvents>> }> {
  return Object.values(producedEvents(steps))
    .flat()
    .flatMap(({ name, versions }) => {
      const consumers = CONSUMERS_OF[name];
      if (!consumers) throw new Error(`${name} is produced but CONSUMERS_OF does not say who must take it`);
      return versions.map((version) => ({ event: name, version, consumers }));
    });
}

describe.each(WALKS)('the $id walk', ({ id, base }) => {
  const walk = Array.from({ length: MIGRATIONS[id].last + 1 }, (_, step) => ({ ...FINAL_STEPS, ...base, [id]: step }) as MigrationSteps);

  it('is a consistent state at every step', () => {
    for (const steps of walk) expect(() => readMigrationState(new App({ context: contextOf(steps) }).node)).not.toThrow();
  });

  it('registers every version a producer publishes', () => {
    for (const steps of walk) {
      const live = liveSchemas(steps);
      for (const { event, version } of produced(steps)) {
        expect(live.find((s) => s.name === event)?.versions ?? [], `${id}=${steps[id]}: ${event} v${version}`).toContain(version);
      }
    }
  });

  it('routes what was published at the previous, this and the next step to a consumer of that version (in flight on deploy and on rollback)', () => {
    for (let i = 0; i < walk.length; i += 1) {
      const consumers = consumedEvents(walk[i]!);
      // Forward (deploying step i with messages of i-1 queued) and back (rolling back from i+1 to i).
      const inFlight = [...produced(walk[i]!), ...(i > 0 ? produced(walk[i - 1]!) : []), ...(i + 1 < walk.length ? produced(walk[i + 1]!) : [])];
      for (const { event, version, consumers: names } of inFlight) {
        for (const name of names) {
          const handled = consumers[name].find((e) => e.name === event)?.versions ?? [];
          expect(handled, `${id}=${i}: ${name} must take ${event} v${version}`).toContain(version);
        }
      }
    }
  });
});

function contextOf(steps: MigrationSteps): Record<string, number> {
  return Object.fromEntries(MIGRATION_IDS.map((id) => [MIGRATIONS[id].key, steps[id]]));
}
