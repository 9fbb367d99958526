import { CfnOutput, Duration, Validations } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule, type IEventBus } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Grant } from 'aws-cdk-lib/aws-iam';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { anyMessageAlarm } from './anyMessageAlarm.js';
import { OUTBOX_DEFAULTS } from './defaults.js';
import { repoPath } from './paths.js';
import { secureQueue } from './secureQueue.js';
import { SERVICE_TABLE_KEYS } from './ServiceTable.js';
import { ServiceFunction } from './ServiceFunction.js';

export interface OutboxPublisherProps {
  /** The service table (from `ServiceTable`): must have a stream and the outbox GSI. */
  readonly table: ITable;
  readonly bus: IEventBus;
  /** The producing service, e.g. `hiring` (logs and metrics dimension). */
  readonly producer: string;
  /**
   * Stream records per invocation (five PutEvents calls at the default).
   * @default 50 (`OUTBOX_DEFAULTS.batchSize`)
   */
  readonly batchSize?: number;
  /**
   * Retries of a failing batch before it goes to the failure queue.
   * @default 10 (`OUTBOX_DEFAULTS.retryAttempts`)
   */
  readonly retryAttempts?: number;
  /**
   * Oldest record still retried (stream data lives 24 h).
   * @default 1 day (`OUTBOX_DEFAULTS.maxRecordAge`)
   */
  readonly maxRecordAge?: Duration;
  /**
   * Seconds the republisher widens a failed batch's arrival window by.
   * @default 300 (`OUTBOX_DEFAULTS.republishMarginSeconds`)
   */
  readonly republishMarginSeconds?: number;
  /**
   * How often the republisher drains the failure queue on its own.
   * @default 15 minutes (`OUTBOX_DEFAULTS.republishEvery`)
   */
  readonly republishEvery?: Duration;
}

/**
 * Publishes a service's outbox to the bus: the table stream, filtered to outbox INSERTs, feeds a
 * Lambda that calls PutEvents (partial failures reported per record, bisect on error, bounded
 * retries and record age). Batches given up on land in a failure queue (SSE, SSL-only, 14 days,
 * alarmed); they only name the shard and sequence range, so the **Republisher** function, run by a
 * schedule (`republishEvery`), looks the events up in the outbox GSI by time and puts them again.
 * A failure message whose events it cannot all find moves to the **unresolved queue** (14 days,
 * `failure-reason` attribute, alarmed) instead of being dropped; an operator retries it with a wider
 * window: `aws lambda invoke --function-name <RepublisherFunctionName output> --payload
 * '{"retryUnresolved":true,"marginSeconds":3600}' --cli-binary-format raw-in-base64-out out.json`.
 *
 * @example
 * ```ts
 * const { table } = new ServiceTable(this, 'Table');
 * new OutboxPublisher(this, 'Outbox', { table, bus, producer: 'hiring' });
 * ```
 */
export class OutboxPublisher extends Construct {
  readonly function: ServiceFunction;
  readonly republisher: ServiceFunction;
  readonly failureQueue: Queue;
  /** Failure messages the republisher could not resolve, kept for a person. */
  readonly unresolvedQueue: Queue;
  readonly failureAlarm: Alarm;
  /** Any message in the unresolved queue. */
  readonly unresolvedAlarm: Alarm;
  readonly republishSchedule: Rule;

  constructor(scope: Construct, id: string, props: OutboxPublisherProps) {
    super(scope, id);
    if (!props.table.tableStreamArn) throw new Error('OutboxPublisher: the table has no stream (use ServiceTable)');

    const republishEvery = props.republishEvery ?? OUTBOX_DEFAULTS.republishEvery;
    this.failureQueue = secureQueue(this, 'FailureQueue');
    Validations.of(this.failureQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'The terminal on-failure destination of the stream mapping: it holds failed batch ranges for the republisher, nothing redrives out of it automatically.',
    });

    this.unresolvedQueue = secureQueue(this, 'UnresolvedQueue');
    Validations.of(this.unresolvedQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'Where the republisher keeps failure messages it could not resolve, for a person (RUNBOOK.md); nothing redrives out of it automatically.',
    });

    this.function = new ServiceFunction(this, 'Publisher', {
      service: props.producer,
      entry: repoPath('lambdas/shared/messaging/publisher/handler.ts'),
      description: `hiring-events ${props.producer}: outbox stream -> EventBridge`,
      timeout: OUTBOX_DEFAULTS.publisherTimeout,
      environment: { EVENT_BUS_NAME: props.bus.eventBusName },
      // Within the size budget with the SDK bundled, and about half the init (`npm run bench`).
      bundleAwsSdk: true,
    });
    this.function.addEventSource(
      new DynamoEventSource(props.table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: props.batchSize ?? OUTBOX_DEFAULTS.batchSize,
        maxBatchingWindow: Duration.seconds(1),
        bisectBatchOnError: true,
        retryAttempts: props.retryAttempts ?? OUTBOX_DEFAULTS.retryAttempts,
        maxRecordAge: props.maxRecordAge ?? OUTBOX_DEFAULTS.maxRecordAge,
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(this.failureQueue),
        filters: [
          FilterCriteria.filter({
            eventName: FilterRule.isEqual('INSERT'),
            dynamodb: { NewImage: { item_type: { S: FilterRule.isEqual('outbox') } } },
          }),
        ],
      }),
    );
    props.bus.grantPutEventsTo(this.function);

    this.republisher = new ServiceFunction(this, 'Republisher', {
      service: props.producer,
      entry: repoPath('lambdas/shared/messaging/publisher/republisherHandler.ts'),
      description: `hiring-events ${props.producer}: re-put outbox events of failed stream batches (scheduled; by hand for unresolved ones)`,
      timeout: OUTBOX_DEFAULTS.republisherTimeout,
      environment: {
        EVENT_BUS_NAME: props.bus.eventBusName,
        TABLE_NAME: props.table.tableName,
        FAILURE_QUEUE_URL: this.failureQueue.queueUrl,
        UNRESOLVED_QUEUE_URL: this.unresolvedQueue.queueUrl,
        REPUBLISH_MARGIN_SECONDS: String(props.republishMarginSeconds ?? OUTBOX_DEFAULTS.republishMarginSeconds),
      },
    });
    this.failureQueue.grantConsumeMessages(this.republisher);
    this.unresolvedQueue.grantSendMessages(this.republisher);
    this.unresolvedQueue.grantConsumeMessages(this.republisher);
    // No person needs to be there for a failure to be republished once its cause has cleared.
    this.republishSchedule = new Rule(this, 'RepublishSchedule', {
      description: `hiring-events ${props.producer}: runs the outbox republisher`,
      schedule: Schedule.rate(republishEvery),
      targets: [new LambdaFunction(this.republisher, { retryAttempts: 2 })],
    });
    props.bus.grantPutEventsTo(this.republisher);
    // Only Query, only on the outbox index: the republisher never reads the service's state.
    Grant.addToPrincipal({
      grantee: this.republisher,
      actions: ['dynamodb:Query'],
      resourceArns: [`${props.table.tableArn}/index/${SERVICE_TABLE_KEYS.outboxIndex.indexName}`],
    });

    this.failureAlarm = anyMessageAlarm(
      this,
      'FailureQueueAlarm',
      this.failureQueue,
      `Outbox batches of ${props.producer} were given up on; the scheduled republisher puts them again once the cause is fixed (RUNBOOK.md)`,
    );

    this.unresolvedAlarm = anyMessageAlarm(
      this,
      'UnresolvedQueueAlarm',
      this.unresolvedQueue,
      `Outbox failures of ${props.producer} the republisher could not resolve (events not found in their window): read failure-reason, retry with a wider window (RUNBOOK.md)`,
    );

    new CfnOutput(this, 'RepublisherFunctionName', {
      value: this.republisher.functionName,
      description: `Republishes the ${props.producer} outbox failure queue (also every ${republishEvery.toHumanString()} by itself): aws lambda invoke --function-name <this> out.json`,
    });
  }
}
