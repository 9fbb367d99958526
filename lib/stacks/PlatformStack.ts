import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { EventBus, Match, type IEventBus } from 'aws-cdk-lib/aws-events';
import type { Construct } from 'constructs';
import { EventSchemaRegistry } from '../constructs/EventSchemaRegistry.js';
import type { SchemaFile } from '../schemaCatalog.js';

export interface PlatformStackProps extends StackProps {
  /** Name of the custom event bus. Default: `hiring-events`. */
  readonly busName?: string;
  /** Schema versions live at the current migration steps. */
  readonly schemas: readonly SchemaFile[];
  /** Publish them to the EventBridge Schema Registry. Default: true (LocalStack has no registry). */
  readonly publishSchemas?: boolean;
  /** How long the archive keeps events for replay. Default: 30 days. */
  readonly archiveRetention?: Duration;
}

/** What every service shares: the custom event bus, its archive and the schema registry. */
export class PlatformStack extends Stack {
  readonly bus: IEventBus;
  /** Absent when `publishSchemas` is false. */
  readonly schemaRegistry?: EventSchemaRegistry;

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id, props);
    const busName = props.busName ?? 'hiring-events';
    const bus = new EventBus(this, 'Bus', { eventBusName: busName, description: 'hiring-events: service events' });
    // The archive lets a team replay events after fixing a consumer; consumers are idempotent, so a
    // replay re-applies nothing that was already applied.
    const archive = bus.archive('Archive', {
      archiveName: `${busName}-archive`,
      description: 'Every event the services publish, for replay',
      eventPattern: { source: Match.prefix('hiring-events.') },
      retention: props.archiveRetention ?? Duration.days(30),
    });
    archive.applyRemovalPolicy(RemovalPolicy.RETAIN);
    this.bus = bus;
    if (props.publishSchemas === false) return;
    this.schemaRegistry = new EventSchemaRegistry(this, 'Schemas', {
      registryName: busName,
      schemas: props.schemas,
    });
  }
}
