import { describe, expect, it } from 'vitest';
import { synthCheckedApp } from '../appTemplates.js';

/** The legacy routes, calls and grants of the early steps stay cdk-nag clean (with their acknowledgements) and valid CloudFormation. */
describe('cdk-nag AwsSolutions and CloudFormation validation at migration steps', () => {
  it.each([
    ['every link before its migration', { 'migration.manager-stream': 0, 'migration.task-updated': 0, 'migration.task-update-request': 0, 'migration.task-assigned': 0, 'migration.task-created-v1': 0, 'migration.manager-login': 0 }],
    ['every link mid-way', { 'migration.manager-stream': 3, 'migration.task-updated': 2, 'migration.task-update-request': 4, 'migration.task-assigned': 3, 'migration.task-created-v1': 6, 'migration.manager-login': 4 }],
  ])('%s', (_, context) => {
    const { app } = synthCheckedApp(context);
    expect(() => app.synth()).not.toThrow();
  }, 240_000);
});
