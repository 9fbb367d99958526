import { beforeAll, describe, expect, it } from 'vitest';
import { MIGRATION_STEPS_OUTPUT } from '../../../lib/constructs/MigrationStepGuard.js';
import { synthApp } from '../appTemplates.js';
import type { LooseJsonObject as Json } from '../../../local/looseJson.js';


const MID_WAY = {
  'migration.manager-stream': 3,
  'migration.task-updated': 2,
  'migration.task-update-request': 4,
  'migration.task-assigned': 3,
  'migration.task-created-v1': 6,
  'migration.manager-login': 4,
};

describe('the migration step guard in the templates', () => {
  let app: ReturnType<typeof synthApp>;
  let templates: Array<[string, { Resources: Record<string, Json>; Outputs: Record<string, Json> }]>;

  beforeAll(() => {
    app = synthApp(MID_WAY);
    templates = [
      ['Platform', app.platformTemplate().toJSON() as never],
      ['Services', app.servicesTemplate().toJSON() as never],
    ];
  });

  const guardOf = (template: { Resources: Record<string, Json> }) => {
    const guards = Object.entries(template.Resources).filter(([, r]) => r.Type === 'Custom::MigrationStepGuard');
    expect(guards).toHaveLength(1);
    return guards[0]!;
  };

  it('has one guard per stack carrying the steps of this deploy, no jump allowed by default', () => {
    for (const [name, template] of templates) {
      const [, guard] = guardOf(template);
      expect(guard.Properties.Steps, name).toEqual(MID_WAY);
      expect(guard.Properties.AllowJump, name).toBe('false');
      expect(guard.Properties.ServiceToken, name).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^MigrationStepGuardProviderframeworkonEvent/), 'Arn'] });
      expect(JSON.parse(template.Outputs[MIGRATION_STEPS_OUTPUT]!.Value as string), name).toEqual(MID_WAY);
    }
  });

  it('orders every other resource of the stack after the guard, so a refusal changes nothing', () => {
    for (const [name, template] of templates) {
      const [guardId] = guardOf(template);
      const others = Object.entries(template.Resources).filter(([, r]) => !String(r.Metadata?.['aws:cdk:path']).includes('/MigrationStepGuard/'));
      expect(others.length, name).toBeGreaterThan(name === 'Services' ? 200 : 5);
      const unordered = others.filter(([, r]) => !(r.DependsOn ?? []).includes(guardId)).map(([id]) => id);
      expect(unordered, `${name}: resources not waiting for the guard`).toEqual([]);
    }
    // The ones the steps change, by name: schemas, consumer rules and functions, API methods, legacy grants.
    const services = templates[1]![1].Resources;
    const [guardId] = guardOf(templates[1]![1]);
    const stepDependent = Object.values(services).filter(
      (r) =>
        (r.Type === 'AWS::Lambda::Function' && JSON.stringify(r.Properties.Environment ?? {}).includes('MIGRATION_')) ||
        r.Type === 'AWS::Events::Rule' ||
        r.Type === 'AWS::ApiGateway::Method',
    );
    expect(stepDependent.length).toBeGreaterThan(20);
    for (const resource of stepDependent) expect(resource.DependsOn).toContain(guardId);
    const platform = templates[0]![1].Resources;
    const [platformGuardId] = guardOf(templates[0]![1]);
    const schemas = Object.values(platform).filter((r) => r.Type === 'AWS::EventSchemas::Schema');
    expect(schemas.length).toBeGreaterThan(0);
    for (const schema of schemas) expect(schema.DependsOn).toContain(platformGuardId);
  });

  it('lets an explicit context override allow a jump (and only true or false)', () => {
    const allowed = synthApp({ ...MID_WAY, 'migration.allowJump': 'true' });
    for (const template of [allowed.platformTemplate(), allowed.servicesTemplate()]) {
      const [, guard] = guardOf(template.toJSON() as never);
      expect(guard.Properties.AllowJump).toBe('true');
    }
    expect(() => synthApp({ 'migration.allowJump': 'yes' })).toThrow(/migration.allowJump must be true or false/);
  });
});
