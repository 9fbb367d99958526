import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_STAGE, stackIds } from '../../lib/stage.js';
import { synthApp } from './appTemplates.js';
import type { LooseJsonObject as Json } from '../../local/looseJson.js';


/**
 * `<Type>.<Property>` of name properties that name something inside a parent resource, not in the
 * account and region: two stages may share them (each stage has its own parent).
 */
const SCOPED_WITHIN_PARENT = new Set([
  'AWS::IAM::Policy.PolicyName', // an inline policy of one role
  'AWS::ApiGateway::Model.Name', // a model of one REST API
  'AWS::ApiGateway::Stage.StageName', // a stage of one REST API
  'AWS::EventSchemas::Schema.SchemaName', // a schema in one registry
  'AWS::CloudWatch::Alarm.MetricName', // the metric an alarm watches (its dimensions name the queue)
  'AWS::SNS::Topic.DisplayName', // the e-mail sender name; the topic name itself is generated
]);

/** True when `value` is a literal or built only from literals and pseudo parameters (`AWS::Region`...). */
function isExplicit(value: unknown): boolean {
  if (typeof value === 'string') return true;
  if (Array.isArray(value)) return value.every(isExplicit);
  if (!value || typeof value !== 'object') return false;
  const [[fn, arg]] = Object.entries(value as Json) as [[string, unknown]];
  if (fn === 'Ref') return typeof arg === 'string' && arg.startsWith('AWS::');
  if (fn === 'Fn::Join' || fn === 'Fn::Sub') return isExplicit(arg);
  return false; // Ref / GetAtt / ImportValue: names another resource, whose own name is checked
}

/** Every explicit physical name of a template: `*Name` properties (and `Name`) of its resources, and its export names. */
function physicalNames(template: Template): Map<string, string> {
  const json = template.toJSON() as { Resources: Record<string, Json>; Outputs?: Record<string, Json> };
  const names = new Map<string, string>();
  for (const [id, resource] of Object.entries(json.Resources)) {
    for (const [property, value] of Object.entries((resource.Properties ?? {}) as Json)) {
      if (!/Name$/.test(property) || SCOPED_WITHIN_PARENT.has(`${resource.Type}.${property}`) || !isExplicit(value)) continue;
      names.set(JSON.stringify(value), `${id}.${property}`);
    }
  }
  for (const [id, output] of Object.entries(json.Outputs ?? {})) {
    if (output.Export?.Name !== undefined) names.set(JSON.stringify(output.Export.Name), `output ${id}`);
  }
  return names;
}

describe('stages: two copies side by side in one account and region', () => {
  let prod: ReturnType<typeof synthApp>;
  let staging: ReturnType<typeof synthApp>;

  beforeAll(() => {
    prod = synthApp();
    staging = synthApp({ stage: 'staging' });
  });

  it('prefixes the stack ids (= stack names) with the stage, `prod` by default', () => {
    expect(DEFAULT_STAGE).toBe('prod');
    expect([prod.platform.stackName, prod.services.stackName]).toEqual(['prod-HiringEvents-Platform', 'prod-HiringEvents-Services']);
    expect([staging.platform.stackName, staging.services.stackName]).toEqual(Object.values(stackIds('staging')));
    expect(staging.services.stackName).toBe('staging-HiringEvents-Services');
  });

  it('shares no stack name and no explicit physical name between the stages', () => {
    const names = (app: ReturnType<typeof synthApp>) => {
      const all = new Map([...physicalNames(app.platformTemplate()), ...physicalNames(app.servicesTemplate())]);
      all.set(JSON.stringify(app.platform.stackName), 'stack');
      all.set(JSON.stringify(app.services.stackName), 'stack');
      return all;
    };
    const prodNames = names(prod);
    const stagingNames = names(staging);
    // The set is the real one: bus, registry, the three APIs, the consumer queues, the dashboards, exports.
    const prodValues = [...prodNames.keys()].join('\n');
    for (const expected of ['"prod-hiring-events"', '"prod-hiring-events-bonus"', '"prod-HiringEvents-Services-bonus"', 'prodHiringEventsServices-BonusFromHiring-']) {
      expect(prodValues).toContain(expected);
    }
    expect(prodNames.size).toBeGreaterThanOrEqual(15);
    const shared = [...prodNames.keys()].filter((name) => stagingNames.has(name)).map((name) => `${name} (${prodNames.get(name)})`);
    expect(shared).toEqual([]);
    // Every explicit name carries its stage.
    for (const name of stagingNames.keys()) expect(name.toLowerCase(), stagingNames.get(name)).toContain('staging');
  });

  it('lets CloudFormation name the retained archive, so a redeploy after `cdk destroy` does not collide with the kept one', () => {
    const archive = Object.values(prod.platformTemplate().findResources('AWS::Events::Archive'))[0]!;
    expect(archive.DeletionPolicy).toBe('Retain');
    expect(archive.Properties.ArchiveName).toBeUndefined();
    // Retained resources carry no fixed name (tables, archive, log groups, KMS key).
    for (const app of [prod]) {
      for (const template of [app.platformTemplate(), app.servicesTemplate()]) {
        for (const [id, resource] of Object.entries(template.toJSON().Resources as Record<string, Json>)) {
          if (resource.DeletionPolicy !== 'Retain') continue;
          const named = Object.keys((resource.Properties ?? {}) as Json).filter((p) => /Name$/.test(p) && !SCOPED_WITHIN_PARENT.has(`${resource.Type}.${p}`));
          expect(named, `retained ${id} (${resource.Type})`).toEqual([]);
        }
      }
    }
  });

  it('refuses a stage that cannot prefix every name', () => {
    for (const bad of ['Prod', 'a_b', '-x', 'x-', 'a--b', '1st', 'a-very-long-stage-name', '']) {
      expect(() => synthApp({ stage: bad }), bad).toThrow(/context stage must be 1..16 lowercase letters/);
    }
    expect(synthApp({ stage: 'pr-42' }).services.stackName).toBe('pr-42-HiringEvents-Services');
  });
});

describe('the API Gateway account CloudWatch role (context apigateway.createAccountRole)', () => {
  it('is not created by default (an account-wide singleton)', () => {
    const template = synthApp().platformTemplate();
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
  });

  it('is created on opt-in, in the Platform stack (deployed before the APIs), and kept when the stack goes', () => {
    const { platformTemplate, servicesTemplate } = synthApp({ 'apigateway.createAccountRole': 'true' });
    const platform = platformTemplate();
    const accounts = Object.values(platform.findResources('AWS::ApiGateway::Account'));
    expect(accounts).toHaveLength(1);
    expect(accounts[0]!.DeletionPolicy).toBe('Retain');
    const roleId = (accounts[0]!.Properties.CloudWatchRoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const role = platform.toJSON().Resources[roleId] as Json;
    expect(role.DeletionPolicy).toBe('Retain');
    expect(role.Properties.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({ Service: 'apigateway.amazonaws.com' });
    expect(JSON.stringify(role.Properties.ManagedPolicyArns)).toContain('service-role/AmazonAPIGatewayPushToCloudWatchLogs');
    servicesTemplate().resourceCountIs('AWS::ApiGateway::Account', 0);
    expect(() => synthApp({ 'apigateway.createAccountRole': 'yes' })).toThrow(/apigateway.createAccountRole must be true or false/);
  });
});
