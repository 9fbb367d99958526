import type { SchemaFile } from '../schemaCatalog.js';
import { isSchemaLive } from '../../lambdas/shared/migrations/plan.js';
import type { MigrationSteps } from '../../lambdas/shared/migrations/steps.js';

/**
 * The schema files the registry publishes at `steps`: `schemas/` keeps every version, the registry
 * only those live at the current steps (added at the link's "register the schema" step, removed
 * at its "remove the old version" step). Throws when a live version has no file.
 */
export function migrationSchemas(catalog: readonly SchemaFile[], steps: MigrationSteps): SchemaFile[] {
  return catalog.filter((schema) => isSchemaLive(steps, schema.eventName, schema.version));
}
