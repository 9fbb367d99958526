import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONSUMER_DEFAULTS } from '../../lib/constructs/defaults.js';
import { synthApp } from './appTemplates.js';
import { actionsOf, referencedIds } from './templateQueries.js';

type Resource = { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown> };
type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

const SERVICES = ['hiring', 'tasks', 'bonus'] as const;

/** The service a resource belongs to: top-level construct ids start with the service name (`TasksCalls`, `BonusTable`...). */
function serviceOf(resource: Resource): string | undefined {
  const path = String(resource.Metadata?.['aws:cdk:path'] ?? '');
  const top = path.split('/')[1] ?? '';
  return SERVICES.find((s) => top.toLowerCase().startsWith(s));
}



describe('ServicesStack', () => {
  let template: Template;
  let resources: Record<string, Resource>;

  beforeAll(() => {
    template = synthApp().servicesTemplate();
    resources = template.toJSON().Resources as Record<string, Resource>;
  });

  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

  it('gives each service its own table with stream, PITR, TTL and retention', () => {
    const tables = ofType('AWS::DynamoDB::Table');
    expect(tables.map(([, r]) => serviceOf(r)).sort()).toEqual(['bonus', 'hiring', 'tasks']);
    for (const [, table] of tables) {
      expect(table.Properties).toMatchObject({
        StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'expires_at', Enabled: true },
      });
    }
    template.allResources('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('lets every function touch only its own service table, queues and APIs', () => {
    const functionsByRole = new Map<string, string>();
    for (const [, fn] of ofType('AWS::Lambda::Function')) {
      // The migration step guard belongs to no service (checked below).
      if (String(fn.Metadata?.['aws:cdk:path']).includes('/MigrationStepGuard/')) continue;
      const env = (fn.Properties?.Environment as { Variables?: Record<string, string> } | undefined)?.Variables ?? {};
      const role = [...referencedIds(fn.Properties?.Role)][0]!;
      functionsByRole.set(role, env.POWERTOOLS_SERVICE_NAME!);
    }
    expect(new Set(functionsByRole.values())).toEqual(new Set(SERVICES));
    let checked = 0;
    for (const [, policy] of ofType('AWS::IAM::Policy')) {
      const roles = [...referencedIds(policy.Properties?.Roles)];
      const owner = roles.map((r) => functionsByRole.get(r)).find(Boolean);
      if (!owner) continue;
      const statements = (policy.Properties!.PolicyDocument as { Statement: Statement[] }).Statement;
      for (const statement of statements) {
        for (const action of actionsOf(statement)) expect(action, `wildcard action in ${owner}'s policy`).not.toMatch(/(^\*$|:\*$)/);
        for (const id of referencedIds(statement.Resource)) {
          const target = resources[id];
          if (!target || target.Type === 'AWS::Lambda::Function') continue;
          const targetService = serviceOf(target);
          const crossCall = target.Type === 'AWS::ApiGateway::RestApi' && actionsOf(statement).every((a) => a === 'execute-api:Invoke');
          if (crossCall) {
            // The only cross-service grants: tasks -> hiring, hiring -> bonus, internal routes only.
            expect([`${owner}->${targetService}`]).toContain(owner === 'tasks' ? 'tasks->hiring' : 'hiring->bonus');
            expect(JSON.stringify(statement.Resource)).toContain('/internal/*');
          } else if (targetService) {
            expect(targetService, `${owner} granted ${actionsOf(statement).join(',')} on ${id}`).toBe(owner);
          }
          checked += 1;
        }
        if (statement.Resource === '*') {
          expect(actionsOf(statement).every((a) => /^xray:|^dynamodb:ListStreams$/.test(a))).toBe(true);
        }
      }
    }
    expect(checked).toBeGreaterThan(30);
  });

  it("lets the migration step guard's functions reach only their own log groups and handler", () => {
    const guardPolicies = ofType('AWS::IAM::Policy').filter(([, p]) => String(p.Metadata?.['aws:cdk:path']).includes('/MigrationStepGuard/'));
    expect(guardPolicies.length).toBeGreaterThanOrEqual(2);
    for (const [id, policy] of guardPolicies) {
      for (const statement of (policy.Properties!.PolicyDocument as { Statement: Statement[] }).Statement) {
        for (const target of referencedIds(statement.Resource)) {
          const resource = resources[target];
          if (!resource) continue; // pseudo parameters
          expect(String(resource.Metadata?.['aws:cdk:path']), `${id} reaches ${target}`).toContain('/MigrationStepGuard/');
          expect(['AWS::Logs::LogGroup', 'AWS::Lambda::Function'], `${id} reaches ${target}`).toContain(resource.Type);
        }
      }
    }
  });

  it('lets only the outbox publishers and republishers put events on the bus', () => {
    const putters = ofType('AWS::IAM::Policy').filter(([, p]) =>
      (p.Properties!.PolicyDocument as { Statement: Statement[] }).Statement.some((s) => actionsOf(s).includes('events:PutEvents')),
    );
    const paths = putters.map(([, p]) => String(p.Metadata?.['aws:cdk:path']));
    expect(paths).toHaveLength(4);
    for (const path of paths) expect(path).toMatch(/^prod-HiringEvents-Services\/(Hiring|Tasks)Outbox\/(Publisher|Republisher)Role\//);
  });

  it("answers API Gateway's own errors with valid JSON in the error shape, and leaves body validation to the functions (their 400 names the field)", () => {
    const responses = ofType('AWS::ApiGateway::GatewayResponse');
    expect(responses.length).toBeGreaterThan(0);
    // What API Gateway substitutes: messageString quoted and escaped, responseType as is (an enum name).
    const substitute = (template: string) =>
      template.replaceAll('$context.error.messageString', JSON.stringify('a "quoted" message')).replaceAll('$context.error.responseType', 'BAD_REQUEST_BODY');
    for (const [id, response] of responses) {
      const template = (response.Properties!.ResponseTemplates as Record<string, string>)['application/json']!;
      expect(template, id).not.toContain('validationErrorString'); // unescaped: its quotes would break the JSON
      expect(JSON.parse(substitute(template)), id).toMatchObject({ error: { code: expect.any(String), message: 'a "quoted" message' } });
    }
    for (const [id, validator] of ofType('AWS::ApiGateway::RequestValidator')) {
      expect(validator.Properties, id).toMatchObject({ ValidateRequestBody: false, ValidateRequestParameters: true });
    }
  });

  it('authorizes every API method with IAM', () => {
    const methods = ofType('AWS::ApiGateway::Method');
    expect(methods.length).toBeGreaterThanOrEqual(3 + 7 + 7);
    for (const [, method] of methods) expect(method.Properties?.AuthorizationType).toBe('AWS_IAM');
  });

  it('logs, throttles and traces every stage', () => {
    const stages = ofType('AWS::ApiGateway::Stage');
    expect(stages).toHaveLength(3);
    for (const [, stage] of stages) {
      expect(stage.Properties).toMatchObject({
        AccessLogSetting: { DestinationArn: expect.anything() },
        TracingEnabled: true,
        MethodSettings: [expect.objectContaining({ ThrottlingRateLimit: expect.any(Number), ThrottlingBurstLimit: expect.any(Number) })],
      });
    }
  });

  it('reports batch item failures on every event source mapping; stream mappings bisect, retry boundedly and keep failures', () => {
    const mappings = ofType('AWS::Lambda::EventSourceMapping');
    expect(mappings.length).toBeGreaterThanOrEqual(4 + 4 + 2);
    for (const [, mapping] of mappings) {
      expect(mapping.Properties?.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
      if (JSON.stringify(mapping.Properties?.EventSourceArn).includes('StreamArn')) {
        expect(mapping.Properties).toMatchObject({
          BisectBatchOnFunctionError: true,
          MaximumRetryAttempts: expect.any(Number),
          MaximumRecordAgeInSeconds: expect.any(Number),
          DestinationConfig: { OnFailure: { Destination: expect.anything() } },
          FilterCriteria: { Filters: [expect.anything()] },
        });
      }
    }
  });

  it('delivers TaskSolved to bonus in batches of 30 within 1 s, at most 5 at a time (one read and one transaction a batch); other consumers 10 a batch, at most 10 at a time (the bounded default)', () => {
    const sqsMappings = ofType('AWS::Lambda::EventSourceMapping').filter(([, m]) => resources[[...referencedIds(m.Properties?.EventSourceArn)][0]!]?.Type === 'AWS::SQS::Queue');
    const consumer = (id: string) => sqsMappings.filter(([, m]) => [...referencedIds(m.Properties?.EventSourceArn)][0]!.startsWith(id)).map(([, m]) => m.Properties);
    expect(consumer('BonusFromHiring')).toEqual([expect.objectContaining({ BatchSize: 30, MaximumBatchingWindowInSeconds: 1, ScalingConfig: { MaximumConcurrency: 5 } })]);
    for (const id of ['BonusFromTasks', 'HiringFromTasks', 'TasksFromHiring']) {
      expect(consumer(id), id).toEqual([
        expect.objectContaining({ BatchSize: 10, MaximumBatchingWindowInSeconds: 1, ScalingConfig: { MaximumConcurrency: CONSUMER_DEFAULTS.maxConcurrency } }),
      ]);
    }
  });

  it('feeds outbox rows to the publisher and pending calls to the scheduler, each through its own stream filter', () => {
    const filters = ofType('AWS::Lambda::EventSourceMapping')
      .map(([, m]) => (m.Properties?.FilterCriteria as { Filters?: { Pattern: string }[] } | undefined)?.Filters?.[0]?.Pattern)
      .filter((p): p is string => p !== undefined)
      .map((p) => JSON.parse(p) as { eventName: string[]; dynamodb: { NewImage: { item_type: { S: string[] } } } });
    const kinds = filters.map((f) => `${f.eventName.join()}:${f.dynamodb.NewImage.item_type.S.join()}`).sort();
    expect(kinds).toEqual(['INSERT:call', 'INSERT:call', 'INSERT:outbox', 'INSERT:outbox']);
  });

  it('keeps every SQS visibility timeout at least 6x the timeout of the function that reads it', () => {
    for (const [, mapping] of ofType('AWS::Lambda::EventSourceMapping')) {
      const source = [...referencedIds(mapping.Properties?.EventSourceArn)][0]!;
      if (resources[source]?.Type !== 'AWS::SQS::Queue') continue;
      const fn = resources[[...referencedIds(mapping.Properties?.FunctionName)][0]!]!;
      const visibility = Number(resources[source]!.Properties?.VisibilityTimeout ?? 30);
      expect(visibility).toBeGreaterThanOrEqual(6 * Number(fn.Properties?.Timeout ?? 3));
    }
  });

  it('gives every queue SSE and an SSL-only policy, and every source queue a DLQ', () => {
    const queues = ofType('AWS::SQS::Queue');
    for (const [, queue] of queues) expect(queue.Properties?.SqsManagedSseEnabled).toBe(true);
    const policies = ofType('AWS::SQS::QueuePolicy').map(([, p]) => JSON.stringify(p.Properties));
    for (const [id] of queues) {
      const policy = policies.find((p) => p.includes(`"${id}"`) && p.includes('aws:SecureTransport'));
      expect(policy, `SSL-only policy for ${id}`).toBeDefined();
    }
    const readByLambda = ofType('AWS::Lambda::EventSourceMapping')
      .map(([, m]) => [...referencedIds(m.Properties?.EventSourceArn)][0]!)
      .filter((id) => resources[id]?.Type === 'AWS::SQS::Queue');
    for (const id of readByLambda) expect(resources[id]!.Properties?.RedrivePolicy, `DLQ of ${id}`).toBeDefined();
  });

  it('gives every event consumer and every deferred-calls construct a waiting queue apart from its DLQ, drained on a schedule', () => {
    const pathOf = (r: Resource) => String(r.Metadata?.['aws:cdk:path'] ?? '');
    const idAt = (path: string) => {
      const found = Object.entries(resources).filter(([, r]) => pathOf(r) === `prod-HiringEvents-Services/${path}`);
      expect(found.map(([id]) => id), path).toHaveLength(1);
      return found[0]![0];
    };
    const owners = ['TasksFromHiring', 'HiringFromTasks', 'BonusFromTasks', 'BonusFromHiring', 'TasksCalls', 'HiringCalls'];
    // Every source queue Lambda reads (the consumers' and the deferred calls') has a waiting queue: no other queue is forgotten.
    const readByLambda = ofType('AWS::Lambda::EventSourceMapping')
      .map(([, m]) => [...referencedIds(m.Properties?.EventSourceArn)][0]!)
      .filter((id) => resources[id]?.Type === 'AWS::SQS::Queue');
    expect(readByLambda.sort()).toEqual(owners.map((owner) => idAt(`${owner}/Queue/Resource`)).sort());
    for (const owner of owners) {
      const queue = idAt(`${owner}/Queue/Resource`);
      const dlq = idAt(`${owner}/DeadLetterQueue/Resource`);
      const waiting = idAt(`${owner}/Waiting/Queue/Resource`);
      const redriver = idAt(`${owner}/Waiting/Redriver/Resource`);
      expect(new Set([queue, dlq, waiting]).size, owner).toBe(3);
      // The queue's DLQ is the DLQ, not the waiting queue.
      expect(JSON.stringify(resources[queue]!.Properties?.RedrivePolicy), owner).toContain(dlq);
      const env = (resources[redriver]!.Properties as { Environment: { Variables: Record<string, unknown> } }).Environment.Variables;
      expect(env, owner).toMatchObject({ WAITING_QUEUE_URL: { Ref: waiting }, TARGET_QUEUE_URL: { Ref: queue }, DEAD_LETTER_QUEUE_URL: { Ref: dlq } });
      const schedules = ofType('AWS::Events::Rule').filter(([, r]) => JSON.stringify(r.Properties?.Targets).includes(`"${redriver}"`));
      expect(schedules.map(([, r]) => r.Properties?.ScheduleExpression), owner).toEqual(['rate(5 minutes)']);
      // The function that fills it knows its URL.
      const filler = idAt(owner.endsWith('Calls') ? `${owner}/Deliverer/Resource` : `${owner}/Function/Resource`);
      expect((resources[filler]!.Properties as { Environment: { Variables: Record<string, unknown> } }).Environment.Variables.WAITING_QUEUE_URL, owner).toEqual({ Ref: waiting });
    }
  });

  it('routes consumer rules on producer, event name and version', () => {
    // The other rules are schedules (the republishers', the waiting queues' redrivers).
    const patterns = ofType('AWS::Events::Rule')
      .map(([, r]) => r.Properties?.EventPattern)
      .filter((pattern) => pattern !== undefined);
    expect(patterns).toEqual(
      expect.arrayContaining([
        { source: ['hiring-events.hiring'], 'detail-type': ['TaskSolved'], detail: { event_version: ['0'] } },
        { source: ['hiring-events.tasks'], 'detail-type': ['ManagerUpdated'], detail: { event_version: ['1'] } },
        { source: ['hiring-events.tasks'], 'detail-type': ['TaskCreated'], detail: { event_version: ['1'] } },
        { source: ['hiring-events.hiring'], 'detail-type': ['NewCandidate'], detail: { event_version: ['0'] } },
        { source: ['hiring-events.hiring'], 'detail-type': ['TaskUpdateRequested'], detail: { event_version: ['0'] } },
      ]),
    );
    expect(patterns).toHaveLength(6);
  });

  it('sets the bonus rate from context, in minor units', () => {
    const custom = synthApp({ 'bonus.perRatingPoint': 250 }).servicesTemplate();
    const rates = Object.values(custom.findResources('AWS::Lambda::Function'))
      .map((fn) => (fn as Resource).Properties?.Environment as { Variables?: Record<string, string> })
      .map((env) => env?.Variables?.BONUS_PER_RATING_POINT)
      .filter(Boolean);
    expect(rates).toEqual(['250', '250']);
    expect(() => synthApp({ 'bonus.perRatingPoint': 1.5 })).toThrow(/bonus.perRatingPoint must be an integer/);
  });
});
