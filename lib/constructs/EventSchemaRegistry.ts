import { CfnRegistry, CfnSchema } from 'aws-cdk-lib/aws-eventschemas';
import { Construct } from 'constructs';
import type { SchemaFile } from '../schemaCatalog.js';

export interface EventSchemaRegistryProps {
  /** Registry name. */
  readonly registryName: string;
  /** The schema versions to publish: each becomes one `AWS::EventSchemas::Schema` named `<EventName>.v<version>`. */
  readonly schemas: readonly SchemaFile[];
}

const DRAFT_04 = 'http://json-schema.org/draft-04/schema#';

/**
 * The EventBridge Schema Registry holding the event versions that are live.
 *
 * Each version is its own schema (`TaskSolved.v0`, `TaskSolved.v1`) rather than revisions of one
 * schema, because CloudFormation can only hold one content per resource and both versions of an
 * event are live at the same time during a migration.
 *
 * Our files are JSON Schema draft-07 restricted to keywords draft-04 also knows (the schema gate
 * checks that), so publishing them as `JSONSchemaDraft4` only swaps the `$schema` URI.
 */
export class EventSchemaRegistry extends Construct {
  readonly registry: CfnRegistry;
  readonly schemas: ReadonlyMap<string, CfnSchema>;

  constructor(scope: Construct, id: string, props: EventSchemaRegistryProps) {
    super(scope, id);
    this.registry = new CfnRegistry(this, 'Registry', {
      registryName: props.registryName,
      description: 'hiring-events: versioned event contracts (source of truth: schemas/ in the repository)',
    });
    const schemas = new Map<string, CfnSchema>();
    for (const schema of props.schemas) {
      const name = `${schema.eventName}.v${schema.version}`;
      const cfn = new CfnSchema(this, name.replace('.', 'V'), {
        registryName: this.registry.attrRegistryName,
        schemaName: name,
        type: 'JSONSchemaDraft4',
        description: typeof schema.content.description === 'string' ? schema.content.description : name,
        content: JSON.stringify({ ...schema.content, $schema: DRAFT_04 }),
      });
      schemas.set(name, cfn);
    }
    this.schemas = schemas;
  }
}
