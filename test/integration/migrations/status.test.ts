import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { randomUUID } from 'node:crypto';
import { PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHiringEvents } from '../../../lib/HiringEventsApp.js';
import { cdkJsonContext } from '../../../local/localAssembly.js';
import { deployedStepsFromAssembly, StackNotDeployedError, stepsOf } from '../../../scripts/migrations/deployedSteps.js';
import { runMigrate } from '../../../scripts/migrations/runMigrate.js';
import { FINAL_STEPS } from '../../../lambdas/shared/migrations/steps.js';
import { localClients, uniqueName } from '../../support/aws.js';
import { createServiceTable } from '../support/serviceTable.js';

/** `npm run migrate -- <args>` in process, run from `cwd`. */
async function migrate(cwd: string, ...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runMigrate(args, { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) }, cwd });
  return { code, stdout, stderr };
}

/**
 * `npm run migrate -- status` on the offline path: the steps come from the cloud assembly the
 * offline runtime runs (its stacks' `MigrationSteps` outputs), found through .local/endpoints.json
 * or given with --assembly. (The AWS path is the unit test's, with DescribeStacks mocked.)
 */
describe('npm run migrate -- status, offline', () => {
  let work: string;
  let assembly: string;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'migrate-status-'));
    assembly = join(work, 'cdk.out');
    // The templates the offline runtime would run for stage `staging` mid-way through task-created-v1
    // (bundling skipped: the outputs do not depend on it).
    const app = new App({
      outdir: assembly,
      context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [], stage: 'staging', 'migration.task-created-v1': 6 },
    });
    buildHiringEvents(app);
    app.synth();
  }, 120_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('reads the steps of the assembly', () => {
    const deployed = deployedStepsFromAssembly(assembly, 'staging');
    expect(deployed.source).toBe(`local assembly ${assembly}`);
    expect(stepsOf(deployed)).toEqual({ ...FINAL_STEPS, taskCreatedV1: 6 });
    expect(() => deployedStepsFromAssembly(assembly, 'prod')).toThrow(StackNotDeployedError);
  });

  it('prints them from the assembly the running offline runtime names in .local/endpoints.json', async () => {
    mkdirSync(join(work, '.local'), { recursive: true });
    const local = { dynamodb: 'http://127.0.0.1:1', sqs: 'http://127.0.0.1:2', eventbridge: 'http://127.0.0.1:3', assembly };
    const urls = { hiring: 'http://127.0.0.1:4/v1/', tasks: 'http://127.0.0.1:5/v1/', bonus: 'http://127.0.0.1:6/v1/' };
    writeFileSync(join(work, '.local/endpoints.json'), JSON.stringify({ ...urls, local }));
    const { code, stdout } = await migrate(work, 'status', '--stage', 'staging');
    expect(code).toBe(0);
    expect(stdout.split('\n')).toEqual([
      `Deployed migration steps of staging-HiringEvents-Services (from local assembly ${assembly}):`,
      '  migration.manager-stream        5 /  5  done',
      '  migration.task-updated          5 /  5  done',
      '  migration.task-update-request   6 /  6  done',
      '  migration.task-assigned         5 /  5  done',
      '  migration.task-created-v1       6 / 10  in progress: next deploy may move it to step 7',
      '  migration.manager-login        10 / 10  done',
      '',
    ]);
  }, 60_000);

  it('prints JSON with --assembly, and fails clearly for a stage the assembly does not have', async () => {
    const { stdout } = await migrate(work, 'status', '--stage', 'staging', '--assembly', assembly, '--json');
    const parsed = JSON.parse(stdout) as { stacks: Array<{ stack: string; steps: Record<string, number> }> };
    expect(parsed.stacks.map((s) => s.stack)).toEqual(['staging-HiringEvents-Services', 'staging-HiringEvents-Platform']);
    expect(parsed.stacks[0]!.steps['migration.task-created-v1']).toBe(6);
    const failed = await migrate(work, 'status', '--assembly', assembly);
    expect(failed).toMatchObject({ code: 1, stderr: expect.stringContaining('stack prod-HiringEvents-Services is not deployed') });
  }, 60_000);

  it('publish-managers takes the manager-login step from the deployment: the version it publishes is the one the deployed rules route', async () => {
    const { dynamodb, doc } = localClients();
    const table = uniqueName('status-publish');
    await createServiceTable(dynamodb, table);
    const managerUid = randomUUID();
    await doc.send(
      new PutCommand({
        TableName: table,
        Item: { pk: `MANAGER#${managerUid}`, sk: 'MANAGER', manager_uid: managerUid, name: 'Ada', surname: 'Lovelace', login: 'ada', payout_account: 'ACC-1', version: 2 },
      }),
    );
    const published = await runMigrate(['publish-managers', '--stage', 'staging', '--assembly', assembly, '--tasks-table', table], {
      stdout: { write: () => true },
      stderr: { write: () => true },
      cwd: work,
      dynamodb,
    });
    expect(published).toBe(0);
    const { Items = [] } = await doc.send(new ScanCommand({ TableName: table, ConsistentRead: true }));
    // The assembly's manager-login step is the last one (cdk.json): ManagerUpdated v1, with the login.
    expect(Items.filter((item) => item.item_type === 'outbox').map((item) => [item.event.event_version, item.event.payload.login])).toEqual([['1', 'ada']]);
  }, 60_000);
});
