import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as sqs from 'aws-cdk-lib/aws-sqs';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..', '..');

/**
 * A small app exercising every piece of the local runtime:
 * bus + rule -> queue (DLQ) -> NodejsFunction with batch item failures;
 * a rule whose targets fail (a queue that does not exist, with a rule DLQ; a queue without one);
 * TableV2 stream (filtered) -> function with bisect, retries and an on-failure queue;
 * a REST API with a `{id}` route, a `{proxy+}` route and CORS preflight (MOCK);
 * a function that times out.
 */
export function synthTestApp(stackName: string): string {
  const outdir = mkdtempSync(join(tmpdir(), 'local-runtime-cdk-'));
  const app = new App({ outdir });
  const stack = new Stack(app, stackName);

  const results = new sqs.Queue(stack, 'Results');
  const parking = new sqs.Queue(stack, 'Parking');

  const bus = new events.EventBus(stack, 'Bus', { eventBusName: `${stackName}-bus` });
  const workDlq = new sqs.Queue(stack, 'WorkDlq');
  // Long enough that a slow first invocation (a loaded CI box) finishes before the message would be
  // seen again; the retry of the failed record still comes after one visibility timeout.
  const work = new sqs.Queue(stack, 'Work', { visibilityTimeout: Duration.seconds(4), deadLetterQueue: { queue: workDlq, maxReceiveCount: 2 } });
  new events.Rule(stack, 'OrdersRule', {
    eventBus: bus,
    eventPattern: { source: ['test.orders'], detail: { kind: events.Match.prefix('ok') } },
    targets: [new targets.SqsQueue(work)],
  });
  const ruleDlq = new sqs.Queue(stack, 'RuleDlq');
  const fragile = new sqs.Queue(stack, 'Fragile');
  new events.Rule(stack, 'FragileRule', {
    eventBus: bus,
    eventPattern: { source: ['test.fragile'] },
    targets: [
      new targets.SqsQueue(sqs.Queue.fromQueueArn(stack, 'Gone', `arn:aws:sqs:${stack.region}:${stack.account}:${stackName}-gone`), { deadLetterQueue: ruleDlq }),
      new targets.SqsQueue(fragile),
    ],
  });
  const consumer = new NodejsFunction(stack, 'Consumer', {
    entry: join(here, 'fixtures', 'consumer.cjs'),
    runtime: lambda.Runtime.NODEJS_20_X,
    projectRoot: repoRoot,
    depsLockFilePath: join(repoRoot, 'package-lock.json'),
    bundling: { format: OutputFormat.CJS },
    environment: { RESULTS_URL: results.queueUrl },
  });
  consumer.addEventSource(new SqsEventSource(work, { batchSize: 10, reportBatchItemFailures: true, maxConcurrency: 2 }));

  const table = new dynamodb.TableV2(stack, 'Outbox', {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    dynamoStream: dynamodb.StreamViewType.NEW_IMAGE,
  });
  const streamDlq = new sqs.Queue(stack, 'StreamDlq');
  const publisher = new lambda.Function(stack, 'Publisher', {
    runtime: lambda.Runtime.NODEJS_20_X,
    handler: 'index.handler',
    code: lambda.Code.fromAsset(join(here, 'fixtures', 'publisher')),
    environment: { RESULTS_URL: results.queueUrl },
  });
  publisher.addEventSource(
    new DynamoEventSource(table, {
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      batchSize: 10,
      maxBatchingWindow: Duration.seconds(1),
      bisectBatchOnError: true,
      retryAttempts: 1,
      onFailure: new SqsDlq(streamDlq),
      filters: [
        lambda.FilterCriteria.filter({
          eventName: lambda.FilterRule.isEqual('INSERT'),
          dynamodb: { NewImage: { pk: { S: lambda.FilterRule.beginsWith('OUT#') } } },
        }),
      ],
    }),
  );

  const echo = new lambda.Function(stack, 'Echo', {
    runtime: lambda.Runtime.NODEJS_20_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline(`
exports.handler = async (e) => ({
  statusCode: e.httpMethod === 'POST' ? 201 : 200,
  headers: { 'content-type': 'application/json', 'x-echo': 'yes' },
  body: JSON.stringify({ resource: e.resource, path: e.path, method: e.httpMethod, pathParameters: e.pathParameters,
    query: e.queryStringParameters, stage: e.requestContext.stage, body: e.body, requestId: e.requestContext.requestId,
    region: process.env.AWS_REGION, table: process.env.TABLE_NAME, dynamodb: process.env.AWS_ENDPOINT_URL_DYNAMODB }),
});`),
    environment: { TABLE_NAME: table.tableName },
  });
  const api = new apigateway.RestApi(stack, 'Api', {
    restApiName: `${stackName}-api`,
    defaultCorsPreflightOptions: { allowOrigins: ['*'] },
  });
  const integration = new apigateway.LambdaIntegration(echo);
  api.root.addResource('items').addResource('{id}').addMethod('GET', integration, { authorizationType: apigateway.AuthorizationType.IAM });
  api.root.addResource('files').addProxy({ defaultIntegration: integration, anyMethod: true });

  new lambda.Function(stack, 'Slow', {
    runtime: lambda.Runtime.NODEJS_20_X,
    handler: 'index.handler',
    timeout: Duration.seconds(1),
    code: lambda.Code.fromInline(`exports.handler = async (e) => {
  if (e.throw) throw new TypeError('asked to throw');
  await new Promise((r) => setTimeout(r, 30_000));
  return 'late';
};`),
  });

  // referenced to keep the parking queue in the template (used by the reload test)
  void parking;
  const validation = process.env.CDK_VALIDATION;
  process.env.CDK_VALIDATION = 'false'; // template linting is not what these tests are about (saves seconds)
  try {
    app.synth();
  } finally {
    if (validation === undefined) delete process.env.CDK_VALIDATION;
    else process.env.CDK_VALIDATION = validation;
  }
  return outdir;
}
