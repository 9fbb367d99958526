export { readMigrationState } from './readMigrationState.js';
export { migrationSchemas } from './migrationSchemas.js';
export * from '../../lambdas/shared/migrations/steps.js';
export * from '../../lambdas/shared/migrations/plan.js';
