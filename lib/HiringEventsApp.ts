import { Tags, type App } from 'aws-cdk-lib';
import { readConfig } from './config.js';
import { migrationSchemas, readMigrationState } from './migrations/index.js';
import { readSchemaCatalog } from './schemaCatalog.js';
import { readStage, stackIds } from './stage.js';
import { PlatformStack } from './stacks/PlatformStack.js';
import { ServicesStack } from './stacks/ServicesStack.js';

/** The stacks `cdk deploy` ships, built onto `app` (shared by bin/app.ts, the tests and the offline runtime). */
export function buildHiringEvents(app: App) {
  const stage = readStage(app.node);
  const config = readConfig(app.node);
  const migration = readMigrationState(app.node);
  const ids = stackIds(stage);
  const platform = new PlatformStack(app, ids.platform, {
    description: `hiring-events (${stage}): event bus, archive and schema registry`,
    stage,
    schemas: migrationSchemas(readSchemaCatalog(), migration),
    publishSchemas: config.schemaRegistry,
    migration,
    allowMigrationJump: config.migrationAllowJump,
    createApiGatewayAccountRole: config.createApiGatewayAccountRole,
  });
  const services = new ServicesStack(app, ids.services, {
    description: `hiring-events (${stage}): the hiring, tasks and bonus services`,
    bus: platform.bus,
    config,
    migration,
  });
  Tags.of(app).add('project', 'hiring-events');
  Tags.of(app).add('stage', stage);
  return { platform, services, config, migration, stage };
}
