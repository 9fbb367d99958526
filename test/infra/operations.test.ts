import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Alarm, CfnAlarm, ComparisonOperator, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { beforeAll, describe, expect, it } from 'vitest';
import { OperationsAlarms } from '../../lib/constructs/OperationsAlarms.js';
import { MESSAGING_METRICS } from '../../lib/constructs/ServiceDashboard.js';
import { synthApp } from './appTemplates.js';
import { referencedIds } from './templateQueries.js';
import type { LooseJsonObject } from '../../local/looseJson.js';

type Resource = { Type: string; Properties?: LooseJsonObject; Metadata?: Record<string, unknown> };

const SERVICES = ['hiring', 'tasks', 'bonus'] as const;


/** The dashboard body with its `Fn::Join` flattened; tokens (`{"Ref": id}`) kept as `${id}`. */
function dashboardBody(dashboard: Resource): string {
  const body = dashboard.Properties?.DashboardBody as unknown;
  if (typeof body === 'string') return body;
  const [, parts] = (body as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
  return parts
    .map((part) => {
      if (typeof part === 'string') return part;
      const ids = [...referencedIds(part)];
      return ids.length > 0 ? `\${${ids.join(',')}}` : JSON.stringify(part);
    })
    .join('');
}

describe('operations: dashboards and alarms', () => {
  let template: Template;
  let resources: Record<string, Resource>;
  let platformResources: Record<string, Resource>;
  let topicId: string;
  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

  beforeAll(() => {
    const app = synthApp();
    template = app.servicesTemplate();
    resources = template.toJSON().Resources as Record<string, Resource>;
    platformResources = app.platformTemplate().toJSON().Resources as Record<string, Resource>;
    const topics = ofType('AWS::SNS::Topic');
    expect(topics).toHaveLength(1);
    topicId = topics[0]![0];
  });

  it('has one dashboard per service, named after it', () => {
    const dashboards = ofType('AWS::CloudWatch::Dashboard');
    expect(dashboards).toHaveLength(SERVICES.length);
    const names = dashboards.map(([, d]) => String(d.Properties?.DashboardName));
    expect(names.sort()).toEqual(SERVICES.map((s) => `prod-HiringEvents-Services-${s}`).sort());
  });

  it("shows each service's API, functions, messaging metrics and every one of its queues on its own dashboard", () => {
    for (const service of SERVICES) {
      const [, dashboard] = ofType('AWS::CloudWatch::Dashboard').find(([, d]) => d.Properties?.DashboardName === `prod-HiringEvents-Services-${service}`)!;
      const body = dashboardBody(dashboard);
      // API Gateway: requests, 5xx, latency of the service's own API.
      expect(body).toContain(`"ApiName","prod-hiring-events-${service}"`);
      for (const metric of ['"Count"', '"5XXError"', '"4XXError"', '"Latency"']) expect(body).toContain(metric);
      // Messaging metrics with the service dimension.
      for (const metric of MESSAGING_METRICS) expect(body).toContain(`["HiringEvents/prod","${metric}","service","${service}"`);
      for (const metric of ['EventsPublished', 'PublishFailed', 'EventsConsumed', 'EventsDuplicate', 'EventsStale', 'EventsParked', 'EventsDeadLettered']) {
        expect(MESSAGING_METRICS).toContain(metric);
      }
      // Every function of the service: invocations, errors, throttles.
      const ids = [...referencedIds(dashboard.Properties?.DashboardBody)];
      const functions = ofType('AWS::Lambda::Function').filter(([, fn]) => fn.Properties?.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === service);
      expect(functions.length).toBeGreaterThan(0);
      for (const [id] of functions) expect(ids, `function ${id} on the ${service} dashboard`).toContain(id);
      for (const metric of ['"Invocations"', '"Errors"', '"Throttles"']) expect(body).toContain(metric);
      // Every queue of the service (its top-level construct starts with the service name): depth and age.
      const queues = ofType('AWS::SQS::Queue').filter(([, q]) => String(q.Metadata?.['aws:cdk:path']).split('/')[1]!.toLowerCase().startsWith(service));
      expect(queues.length).toBeGreaterThan(0);
      for (const [id] of queues) expect(ids, `queue ${id} on the ${service} dashboard`).toContain(id);
      expect(body).toContain('"ApproximateNumberOfMessagesVisible"');
      expect(body).toContain('"ApproximateAgeOfOldestMessage"');
      // Nothing of another service.
      const others = ofType('AWS::SQS::Queue').filter(([id]) => !queues.some(([own]) => own === id));
      for (const [id] of others) expect(ids).not.toContain(id);
    }
  });

  it('sends every alarm of the app to the alarm topic, on ALARM and on OK', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm');
    expect(alarms.length).toBeGreaterThanOrEqual(4 * 2 + 2 + 2 * 2);
    for (const [id, alarm] of alarms) {
      expect(alarm.Properties?.AlarmActions, `AlarmActions of ${id}`).toEqual(expect.arrayContaining([{ Ref: topicId }]));
      expect(alarm.Properties?.OKActions, `OKActions of ${id}`).toEqual(expect.arrayContaining([{ Ref: topicId }]));
    }
    // The platform stack has no alarm (it would need its own topic: services depend on platform, not back).
    expect(Object.values(platformResources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm')).toEqual([]);
  });

  it('alarms on the depth of every DLQ and failure queue (redrive targets and stream on-failure destinations)', () => {
    const deadLetterIds = new Set<string>();
    for (const [, queue] of ofType('AWS::SQS::Queue')) {
      for (const id of referencedIds(queue.Properties?.RedrivePolicy)) deadLetterIds.add(id);
    }
    for (const [, mapping] of ofType('AWS::Lambda::EventSourceMapping')) {
      for (const id of referencedIds(mapping.Properties?.DestinationConfig)) deadLetterIds.add(id);
    }
    // 4 consumer DLQs, 2 deferred-call DLQs, 2 outbox failure queues, 2 scheduler failure queues.
    expect(deadLetterIds.size).toBe(4 + 2 + 2 + 2);
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties!);
    for (const id of deadLetterIds) {
      expect(resources[id]?.Type).toBe('AWS::SQS::Queue');
      const alarm = alarms.find(
        (a) =>
          a.MetricName === 'ApproximateNumberOfMessagesVisible' &&
          a.Namespace === 'AWS/SQS' &&
          [...referencedIds(a.Dimensions)].includes(id),
      );
      expect(alarm, `depth alarm of ${id}`).toBeDefined();
      expect(alarm).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 1 });
    }
  });

  it('alarms on the oldest message age of every consumer queue', () => {
    const consumerQueues = ofType('AWS::Lambda::EventSourceMapping')
      .map(([, m]) => [...referencedIds(m.Properties?.EventSourceArn)][0]!)
      .filter((id) => resources[id]?.Type === 'AWS::SQS::Queue' && String(resources[id]!.Metadata?.['aws:cdk:path']).includes('From'));
    expect(consumerQueues).toHaveLength(4);
    const ageAlarms = ofType('AWS::CloudWatch::Alarm').filter(([, a]) => a.Properties?.MetricName === 'ApproximateAgeOfOldestMessage');
    for (const id of consumerQueues) {
      expect(ageAlarms.some(([, a]) => [...referencedIds(a.Properties?.Dimensions)].includes(id)), `age alarm of ${id}`).toBe(true);
    }
  });

  it('encrypts the topic with a rotated customer-managed key CloudWatch may use, accepts TLS only, lets only own alarms publish', () => {
    const topic = resources[topicId]!;
    const [keyId] = [...referencedIds(topic.Properties?.KmsMasterKeyId)];
    expect(resources[keyId!]).toMatchObject({ Type: 'AWS::KMS::Key', Properties: { EnableKeyRotation: true } });
    const keyStatements = resources[keyId!]!.Properties!.KeyPolicy.Statement as { Principal?: { Service?: string }; Action: string[] }[];
    expect(keyStatements.find((s) => s.Principal?.Service === 'cloudwatch.amazonaws.com')?.Action).toEqual(
      expect.arrayContaining(['kms:Decrypt', 'kms:GenerateDataKey*']),
    );

    const [, policy] = ofType('AWS::SNS::TopicPolicy').find(([, p]) => [...referencedIds(p.Properties?.Topics)].includes(topicId))!;
    const statements = policy.Properties!.PolicyDocument.Statement as LooseJsonObject[];
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        expect.objectContaining({
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: 'sns:Publish',
          Condition: expect.objectContaining({ StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } }),
        }),
      ]),
    );
  });

  it('outputs the topic ARN for subscriptions', () => {
    const outputs = Object.entries(template.toJSON().Outputs as Record<string, { Value: unknown }>);
    const topicOutputs = outputs.filter(([name]) => name.includes('AlarmTopicArn'));
    expect(topicOutputs).toHaveLength(1);
    expect(topicOutputs[0]![1].Value).toEqual({ Ref: topicId });
  });

  it('also routes alarms added later, L2 or L1, and keeps their existing actions', () => {
    const app = new App();
    const stack = new Stack(app, 'S');
    const metric = new Metric({ namespace: 'X', metricName: 'Y' });
    new Alarm(stack, 'Late', { metric, threshold: 1, evaluationPeriods: 1, comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD });
    new CfnAlarm(stack, 'Raw', {
      metricName: 'Y',
      namespace: 'X',
      statistic: 'Sum',
      period: 60,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: 'GreaterThanThreshold',
      alarmActions: ['arn:aws:sns:us-east-1:111111111111:pager'],
    });
    const ops = new OperationsAlarms(stack, 'Ops', { alarmsOf: stack });
    const topicRef = { Ref: stack.getLogicalId(ops.topic.node.defaultChild as never) };
    const alarms = Object.entries(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm'));
    const late = alarms.find(([id]) => id.startsWith('Late'))![1];
    const raw = alarms.find(([id]) => id.startsWith('Raw'))![1];
    expect(late.Properties.AlarmActions).toEqual([topicRef]);
    expect(raw.Properties.AlarmActions).toEqual(['arn:aws:sns:us-east-1:111111111111:pager', topicRef]);
    expect(raw.Properties.OKActions).toEqual([topicRef]);
  });
});
