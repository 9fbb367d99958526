import { App, type CfnElement, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { beforeAll, describe, expect, it } from 'vitest';
import { EventConsumer } from '../../../lib/constructs/EventConsumer.js';
import { OutboxPublisher } from '../../../lib/constructs/OutboxPublisher.js';
import { repoPath } from '../../../lib/constructs/paths.js';
import { ServiceTable } from '../../../lib/constructs/ServiceTable.js';
import type { LooseJson, LooseJsonObject } from '../../../local/looseJson.js';

type Resource = { Type: string; Properties: LooseJsonObject };

// Synthesised once for the file: NodejsFunction bundling costs seconds per function.
let template: Template;
let resources: Record<string, Resource>;
let consumer: EventConsumer;
let stack: Stack;

const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const logicalId = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as CfnElement);

beforeAll(() => {
  const app = new App();
  stack = new Stack(app, 'Test', { env: { account: '111111111111', region: 'eu-west-1' } });
  const bus = new EventBus(stack, 'Bus', { eventBusName: 'hiring-events' });
  const { table } = new ServiceTable(stack, 'BonusTable');
  const hiringTable = new ServiceTable(stack, 'HiringTable');
  new OutboxPublisher(stack, 'HiringOutbox', { table: hiringTable.table, bus, producer: 'hiring' });
  consumer = new EventConsumer(stack, 'TaskSolvedConsumer', {
    bus,
    producer: 'hiring',
    service: 'bonus',
    table,
    events: [
      { name: 'TaskSolved', versions: ['0'] },
      { name: 'TaskCreated', versions: ['0', '1'] },
    ],
    handlerEntry: repoPath('test/infra/constructs/fixtures/consumerHandler.ts'),
    timeout: Duration.seconds(20),
  });
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources;
}, 120_000);

describe('ServiceTable', () => {
  it('has pk/sk, TTL, stream with both images, PITR, on-demand, retained, and the sparse outbox GSI', () => {
    const tables = ofType('AWS::DynamoDB::Table');
    expect(tables).toHaveLength(2);
    for (const [id, table] of tables) {
      expect(table.Properties).toMatchObject({
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
        TimeToLiveSpecification: { AttributeName: 'expires_at', Enabled: true },
        StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        BillingMode: 'PAY_PER_REQUEST',
        GlobalSecondaryIndexes: [
          {
            IndexName: 'gsi1',
            KeySchema: [{ AttributeName: 'gsi1pk', KeyType: 'HASH' }, { AttributeName: 'gsi1sk', KeyType: 'RANGE' }],
            Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['event'] },
          },
        ],
      });
      expect(resources[id]).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    }
  });
});

describe('EventConsumer', () => {
  it('gives every consumer queue a DLQ with redrive allowed only from that queue', () => {
    const queueId = logicalId(consumer.queue);
    const dlqId = logicalId(consumer.deadLetterQueue);
    const queue = resources[queueId]!;
    expect(queue.Properties.RedrivePolicy).toEqual({ deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: 5 });
    const dlq = resources[dlqId]!;
    expect(dlq.Properties.RedriveAllowPolicy.redrivePermission).toBe('byQueue');
    const [allowed] = dlq.Properties.RedriveAllowPolicy.sourceQueueArns;
    // The allowed ARN names exactly the source queue (a literal ARN: referencing it would be a cycle).
    expect(JSON.stringify(allowed)).toContain(`:${queue.Properties.QueueName}`);
    expect(queue.Properties.MessageRetentionPeriod).toBe(4 * 24 * 3600);
    expect(dlq.Properties.MessageRetentionPeriod).toBe(14 * 24 * 3600);
  });

  it('encrypts every queue and denies non-TLS access to it', () => {
    const queues = ofType('AWS::SQS::Queue');
    expect(queues.length).toBe(5); // consumer queue + DLQ + waiting queue, outbox failure and unresolved queues
    for (const [id, queue] of queues) {
      expect(queue.Properties.SqsManagedSseEnabled, id).toBe(true);
      const policies = ofType('AWS::SQS::QueuePolicy').filter(([, p]) => p.Properties.Queues.some((q: LooseJson) => q.Ref === id));
      const statements = policies.flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
      expect(statements, id).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });

  it('sets the visibility timeout to at least 6x the function timeout', () => {
    const queue = resources[logicalId(consumer.queue)]!;
    const fn = resources[logicalId(consumer.function)]!;
    expect(fn.Properties.Timeout).toBe(20);
    expect(queue.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * fn.Properties.Timeout);
  });

  it('routes each event name with its versions from the producer to the queue, with a DLQ on the target', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['hiring-events.hiring'], 'detail-type': ['TaskSolved'], detail: { event_version: ['0'] } },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [logicalId(consumer.queue), 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [logicalId(consumer.deadLetterQueue), 'Arn'] } },
        }),
      ],
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['hiring-events.hiring'], 'detail-type': ['TaskCreated'], detail: { event_version: ['0', '1'] } },
    });
    expect(consumer.rules).toHaveLength(2);
  });

  it('reports batch item failures on the SQS mapping, 10 records a batch', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [logicalId(consumer.queue), 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 10,
    });
  });

  it('passes queue URLs, table and parking budget to the function', () => {
    const fn = resources[logicalId(consumer.function)]!;
    expect(fn.Properties.Environment.Variables).toMatchObject({
      QUEUE_URL: { Ref: logicalId(consumer.queue) },
      DEAD_LETTER_QUEUE_URL: { Ref: logicalId(consumer.deadLetterQueue) },
      WAITING_QUEUE_URL: { Ref: logicalId(consumer.waiting.queue) },
      PARK_MAX_ATTEMPTS: '8',
      PARK_BASE_DELAY_SECONDS: '30',
      POWERTOOLS_SERVICE_NAME: 'bonus',
    });
  });

  it('has a waiting queue apart from the DLQ (SSE, 14 days), drained on a schedule by a redriver aimed at the queue and the DLQ', () => {
    const waitingId = logicalId(consumer.waiting.queue);
    expect(waitingId).not.toBe(logicalId(consumer.deadLetterQueue));
    const waiting = resources[waitingId]!;
    expect(waiting.Properties.SqsManagedSseEnabled).toBe(true);
    expect(waiting.Properties.MessageRetentionPeriod).toBe(14 * 24 * 3600);
    // Nothing feeds it by redrive policy and Lambda does not poll it: only the consumer sends, only the redriver reads.
    expect(JSON.stringify(ofType('AWS::SQS::Queue').map(([, q]) => q.Properties.RedrivePolicy ?? null))).not.toContain(waitingId);
    expect(JSON.stringify(ofType('AWS::Lambda::EventSourceMapping'))).not.toContain(waitingId);
    const redriverId = logicalId(consumer.waiting.redriver);
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [redriverId, 'Arn'] } })],
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [redriverId, 'Arn'] },
    });
    expect(resources[redriverId]!.Properties.Environment.Variables).toMatchObject({
      WAITING_QUEUE_URL: { Ref: waitingId },
      TARGET_QUEUE_URL: { Ref: logicalId(consumer.queue) },
      DEAD_LETTER_QUEUE_URL: { Ref: logicalId(consumer.deadLetterQueue) },
      EXPIRED_FAILURE_KIND: 'prerequisite-missing',
      WAITING_FIRST_DELAY_SECONDS: '300',
      WAITING_MAX_DELAY_SECONDS: '21600',
      WAITING_HORIZON_SECONDS: String(14 * 24 * 3600),
    });
  });

  it('alarms on the age of the oldest waiting message past the longest healthy round (6 h + three 5-minute runs)', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(consumer.waiting.queue), 'QueueName'] } }],
      Threshold: 6 * 3600 + 3 * 300,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it('alarms on DLQ depth and on the age of the oldest message', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(consumer.deadLetterQueue), 'QueueName'] } }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(consumer.queue), 'QueueName'] } }],
    });
  });
});

describe('OutboxPublisher', () => {
  it('reads the stream filtered to outbox inserts, bisecting, with bounded retries and age, and an on-failure queue', () => {
    const mappings = ofType('AWS::Lambda::EventSourceMapping').filter(([, m]) => m.Properties.StartingPosition);
    expect(mappings).toHaveLength(1);
    const [, mapping] = mappings[0]!;
    expect(mapping.Properties).toMatchObject({
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 10,
      MaximumRecordAgeInSeconds: 86_400,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 50,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [expect.stringMatching(/^HiringOutboxFailureQueue/), 'Arn'] } } },
    });
    const filters = mapping.Properties.FilterCriteria.Filters.map((f: { Pattern: string }) => JSON.parse(f.Pattern));
    expect(filters).toEqual([{ eventName: ['INSERT'], dynamodb: { NewImage: { item_type: { S: ['outbox'] } } } }]);
  });

  it('alarms on the failure queue and outputs the republisher function name', () => {
    const alarmed = ofType('AWS::CloudWatch::Alarm')
      .filter(([, a]) => a.Properties.MetricName === 'ApproximateNumberOfMessagesVisible' && a.Properties.Threshold === 0)
      .map(([, a]) => a.Properties.Dimensions[0].Value['Fn::GetAtt'][0] as string);
    expect(alarmed.some((id) => id.startsWith('HiringOutboxFailureQueue'))).toBe(true);
    const outputs = template.toJSON().Outputs as Record<string, { Value: { Ref: string } }>;
    const output = Object.entries(outputs).find(([name]) => name.includes('RepublisherFunctionName'));
    expect(output?.[1].Value.Ref).toMatch(/^HiringOutboxRepublisher/);
    expect(resources[output![1].Value.Ref]!.Type).toBe('AWS::Lambda::Function');
  });

  it('runs the republisher every 15 minutes, with no person needed', () => {
    // (The other schedule in this stack is the consumer's waiting-queue redriver.)
    const schedules = ofType('AWS::Events::Rule').filter(([, r]) => r.Properties.ScheduleExpression && JSON.stringify(r.Properties.Targets).includes('HiringOutboxRepublisher'));
    expect(schedules).toHaveLength(1);
    const [, rule] = schedules[0]!;
    expect(rule.Properties.ScheduleExpression).toBe('rate(15 minutes)');
    expect(rule.Properties.Targets).toEqual([
      expect.objectContaining({ Arn: { 'Fn::GetAtt': [expect.stringMatching(/^HiringOutboxRepublisher[0-9A-F]{8}$/), 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 2 } }),
    ]);
    const republisher = rule.Properties.Targets[0].Arn['Fn::GetAtt'][0];
    const permissions = ofType('AWS::Lambda::Permission').filter(([, p]) => p.Properties.Principal === 'events.amazonaws.com' && p.Properties.FunctionName['Fn::GetAtt'][0] === republisher);
    expect(permissions.map(([, p]) => p.Properties.SourceArn)).toEqual([{ 'Fn::GetAtt': [schedules[0]![0], 'Arn'] }]);
  });

  it('keeps failures it cannot resolve in an unresolved queue (14 days, SSE, alarmed) the republisher may send to', () => {
    const [unresolvedId, unresolved] = ofType('AWS::SQS::Queue').find(([id]) => id.startsWith('HiringOutboxUnresolvedQueue'))!;
    expect(unresolved.Properties).toMatchObject({ MessageRetentionPeriod: 14 * 24 * 3600, SqsManagedSseEnabled: true });
    const alarmed = ofType('AWS::CloudWatch::Alarm')
      .filter(([, a]) => a.Properties.MetricName === 'ApproximateNumberOfMessagesVisible' && a.Properties.Threshold === 0)
      .map(([, a]) => a.Properties.Dimensions[0].Value['Fn::GetAtt'][0] as string);
    expect(alarmed).toContain(unresolvedId);
    const [, republisher] = ofType('AWS::Lambda::Function').find(([id]) => id.startsWith('HiringOutboxRepublisher'))!;
    expect(republisher.Properties.Environment.Variables.UNRESOLVED_QUEUE_URL).toEqual({ Ref: unresolvedId });
  });
});

describe('IAM', () => {
  const statementsOf = (rolePrefix: string) =>
    ofType('AWS::IAM::Policy')
      .filter(([, p]) => p.Properties.Roles.some((r: { Ref: string }) => r.Ref.startsWith(rolePrefix)))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]);
  const actionsOf = (s: { Action: string | string[] }) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
  const resourcesOf = (s: { Resource: unknown }) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]);

  it('scopes every dynamodb/sqs/events grant to named resources (no "*")', () => {
    const statements = ofType('AWS::IAM::Policy').flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
    const scoped = statements.filter((s: LooseJson) =>
      actionsOf(s).some((a) => /^(dynamodb|sqs|events):/.test(a) && a !== 'dynamodb:ListStreams'),
    );
    expect(scoped.length).toBeGreaterThan(5);
    for (const statement of scoped) {
      expect(resourcesOf(statement), JSON.stringify(statement.Action)).not.toContain('*');
    }
  });

  it('lets the publisher put events on the bus only, and the republisher query only the outbox index', () => {
    const publisher = statementsOf('HiringOutboxPublisher');
    const put = publisher.filter((s) => actionsOf(s).includes('events:PutEvents'));
    expect(put).toHaveLength(1);
    expect(resourcesOf(put[0]!)).toEqual([{ 'Fn::GetAtt': ['BusEA82B648', 'Arn'] }]);
    expect(publisher.flatMap(actionsOf).filter((a) => a.startsWith('dynamodb:') && !/Stream|Shard|GetRecords/.test(a))).toEqual([]);

    const republisher = statementsOf('HiringOutboxRepublisher');
    const dynamo = republisher.filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
    expect(dynamo.flatMap(actionsOf)).toEqual(['dynamodb:Query']);
    expect(JSON.stringify(resourcesOf(dynamo[0]!))).toContain('/index/gsi1');
  });

  it('lets the consumer send only to its own queue, waiting queue and DLQ', () => {
    const sends = statementsOf('TaskSolvedConsumerFunction').filter((s) => actionsOf(s).includes('sqs:SendMessage'));
    const targets = sends.flatMap(resourcesOf).map((r) => JSON.stringify(r)).sort();
    expect(targets).toEqual(
      [logicalId(consumer.deadLetterQueue), logicalId(consumer.queue), logicalId(consumer.waiting.queue)]
        .map((id) => JSON.stringify({ 'Fn::GetAtt': [id, 'Arn'] }))
        .sort(),
    );
  });

  it('lets the redriver read only its waiting queue and send only to its consumer queue and DLQ', () => {
    const statements = statementsOf('TaskSolvedConsumerWaitingRedriver');
    const arnsFor = (action: string) =>
      statements
        .filter((s) => actionsOf(s).includes(action))
        .flatMap(resourcesOf)
        .map((r) => JSON.stringify(r))
        .sort();
    const arn = (id: string) => JSON.stringify({ 'Fn::GetAtt': [id, 'Arn'] });
    expect(arnsFor('sqs:ReceiveMessage')).toEqual([arn(logicalId(consumer.waiting.queue))]);
    expect(arnsFor('sqs:ChangeMessageVisibility')).toEqual([arn(logicalId(consumer.waiting.queue))]);
    expect(arnsFor('sqs:SendMessage')).toEqual([logicalId(consumer.deadLetterQueue), logicalId(consumer.queue)].map(arn).sort());
  });
});
