import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
});

import { MigrationStepJumpError, parseStepsByKey, stepsByKey } from '../../../lambdas/shared/migrations/stepGuard.js';
import { handler } from '../../../lambdas/shared/migrations/stepGuardHandler.js';
import { FINAL_STEPS } from '../../../lambdas/shared/migrations/steps.js';

const STACK_ID = 'arn:aws:cloudformation:eu-west-1:111111111111:stack/prod-HiringEvents-Services/0a1b2c3d';

/** Steps as CloudFormation hands custom resource properties over: numbers as strings. */
const asCfn = (steps: Record<string, number>) => Object.fromEntries(Object.entries(steps).map(([k, v]) => [k, String(v)]));
const props = (steps: Record<string, number>, allowJump = false) => ({ ServiceToken: 'arn:aws:lambda:fn', Steps: asCfn(steps), AllowJump: String(allowJump) });
const base = { ServiceToken: 'arn:aws:lambda:fn', ResponseURL: 'https://example.com', StackId: STACK_ID, RequestId: 'r-1', LogicalResourceId: 'Guard', ResourceType: 'Custom::MigrationStepGuard' };

const update = (deployed: Record<string, number>, requested: Record<string, number>, allowJump = false): CloudFormationCustomResourceEvent => ({
  ...base,
  RequestType: 'Update',
  PhysicalResourceId: 'prod-HiringEvents-Services-migration-steps',
  ResourceProperties: props(requested, allowJump),
  OldResourceProperties: props(deployed),
});

const deployed: Record<string, number> = { ...stepsByKey(FINAL_STEPS), 'migration.task-created-v1': 4, 'migration.manager-stream': 2 };

describe('the migration step guard handler (Custom::MigrationStepGuard)', () => {
  it('refuses a two-step jump, naming the link, the deployed step and the requested one', async () => {
    const attempt = handler(update(deployed, { ...deployed, 'migration.task-created-v1': 6 }));
    await expect(attempt).rejects.toBeInstanceOf(MigrationStepJumpError);
    await expect(handler(update(deployed, { ...deployed, 'migration.task-created-v1': 6 }))).rejects.toThrow(
      'refused: migration.task-created-v1 would move from deployed step 4 to step 6. Move each link one step per deploy (MIGRATIONS.md), or pass -c migration.allowJump=true to jump on purpose.',
    );
  });

  it('names every link that jumps (a deploy that forgets an in-progress key jumps it to its last step)', async () => {
    // Both keys left out of the context: each defaults to its link's last step.
    const requested = { ...deployed, 'migration.manager-stream': 5, 'migration.task-created-v1': 10 };
    await expect(handler(update(deployed, requested))).rejects.toThrow(
      /migration.manager-stream would move from deployed step 2 to step 5; migration.task-created-v1 would move from deployed step 4 to step 10/,
    );
  });

  it('allows one step forward, no move, and any move backward (a rollback)', async () => {
    const id = 'prod-HiringEvents-Services-migration-steps';
    await expect(handler(update(deployed, { ...deployed, 'migration.task-created-v1': 5 }))).resolves.toEqual({ PhysicalResourceId: id });
    await expect(handler(update(deployed, { ...deployed, 'migration.manager-stream': 3, 'migration.task-created-v1': 5 }))).resolves.toEqual({ PhysicalResourceId: id });
    await expect(handler(update(deployed, deployed, true))).resolves.toEqual({ PhysicalResourceId: id });
    await expect(handler(update(deployed, { ...deployed, 'migration.task-created-v1': 0 }))).resolves.toEqual({ PhysicalResourceId: id });
  });

  it('allows a jump with the explicit override (AllowJump = true)', async () => {
    await expect(handler(update(deployed, { ...deployed, 'migration.task-created-v1': 10 }, true))).resolves.toEqual({
      PhysicalResourceId: 'prod-HiringEvents-Services-migration-steps',
    });
  });

  it('allows Create (nothing deployed to compare with) and Delete', async () => {
    const created = await handler({ ...base, RequestType: 'Create', ResourceProperties: props(stepsByKey(FINAL_STEPS)) });
    expect(created).toEqual({ PhysicalResourceId: 'prod-HiringEvents-Services-migration-steps' });
    const deleted = await handler({ ...base, RequestType: 'Delete', PhysicalResourceId: 'guard-1', ResourceProperties: props(deployed) });
    expect(deleted).toEqual({ PhysicalResourceId: 'guard-1' });
  });

  it('treats a link that was not deployed before as no jump', async () => {
    const { 'migration.manager-login': _new, ...older } = deployed;
    await expect(handler(update(older, deployed))).resolves.toBeDefined();
  });

  it('reads steps as CloudFormation sends them (strings) and ignores what is not a step', () => {
    expect(parseStepsByKey({ a: '3', b: 4, c: 'x', d: '' })).toEqual({ a: 3, b: 4 });
    expect(parseStepsByKey(undefined)).toEqual({});
  });
});
