import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { PlatformStack } from '../../lib/stacks/PlatformStack.js';
import { readSchemaCatalog } from '../../lib/schemaCatalog.js';
import { synthApp } from './appTemplates.js';

describe('PlatformStack', () => {
  const schemas = readSchemaCatalog();
  let template: Template;

  beforeAll(() => {
    const app = new App();
    const stack = new PlatformStack(app, 'Platform', { schemas });
    template = Template.fromStack(stack);
  });

  it('creates the custom bus', () => {
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'prod-hiring-events' });
  });

  it('archives every service event for replay and keeps the archive on stack deletion', () => {
    template.hasResource('AWS::Events::Archive', {
      Properties: {
        EventPattern: { source: [{ prefix: 'hiring-events.' }] },
        RetentionDays: 30,
      },
      DeletionPolicy: 'Retain',
    });
  });

  it('publishes every schema version as JSONSchemaDraft4 with a draft-04 $schema', () => {
    expect(schemas.length).toBeGreaterThan(0);
    const published = template.findResources('AWS::EventSchemas::Schema');
    const names = Object.values(published).map((r) => r.Properties.SchemaName as string).sort();
    expect(names).toEqual(schemas.map((s) => `${s.eventName}.v${s.version}`).sort());
    for (const resource of Object.values(published)) {
      expect(resource.Properties.Type).toBe('JSONSchemaDraft4');
      const content = JSON.parse(resource.Properties.Content as string) as { $schema: string };
      expect(content.$schema).toBe('http://json-schema.org/draft-04/schema#');
    }
    template.hasResourceProperties('AWS::EventSchemas::Schema', {
      RegistryName: Match.objectLike({ 'Fn::GetAtt': Match.anyValue() }),
    });
  });
  it('leaves the Schema Registry out when context platform.schemaRegistry is false (LocalStack has none)', () => {
    const { platformTemplate } = synthApp({ 'platform.schemaRegistry': 'false' });
    const withoutRegistry = platformTemplate();
    withoutRegistry.resourceCountIs('AWS::EventSchemas::Registry', 0);
    withoutRegistry.resourceCountIs('AWS::EventSchemas::Schema', 0);
    withoutRegistry.resourceCountIs('AWS::Events::EventBus', 1);
    expect(() => synthApp({ 'platform.schemaRegistry': 'maybe' })).toThrow(/platform.schemaRegistry must be true or false/);
  });
});
