import { Tags, type App } from 'aws-cdk-lib';
import { PlatformStack } from './stacks/PlatformStack.js';
import { readSchemaCatalog } from './schemaCatalog.js';

/** The stacks `cdk deploy` ships, built onto `app` (shared by bin/app.ts, the tests and the offline runtime). */
export function buildHiringEvents(app: App) {
  const platform = new PlatformStack(app, 'HiringEvents-Platform', {
    description: 'hiring-events: event bus, archive and schema registry',
    schemas: readSchemaCatalog(),
  });
  Tags.of(app).add('project', 'hiring-events');
  return { platform };
}
