import { Tags, type App } from 'aws-cdk-lib';
import { readConfig } from './config.js';
import { migrationSchemas, readMigrationState } from './migrations/index.js';
import { readSchemaCatalog } from './schemaCatalog.js';
import { PlatformStack } from './stacks/PlatformStack.js';
import { ServicesStack } from './stacks/ServicesStack.js';

/** The stacks `cdk deploy` ships, built onto `app` (shared by bin/app.ts, the tests and the offline runtime). */
export function buildHiringEvents(app: App) {
  const config = readConfig(app.node);
  const migration = readMigrationState(app.node);
  const platform = new PlatformStack(app, 'HiringEvents-Platform', {
    description: 'hiring-events: event bus, archive and schema registry',
    schemas: migrationSchemas(readSchemaCatalog(), migration),
    publishSchemas: config.schemaRegistry,
  });
  const services = new ServicesStack(app, 'HiringEvents-Services', {
    description: 'hiring-events: the hiring, tasks and bonus services',
    bus: platform.bus,
    config,
    migration,
  });
  Tags.of(app).add('project', 'hiring-events');
  return { platform, services, config, migration };
}
