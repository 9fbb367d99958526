import { Duration, Lazy, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DEFERRED_CALLS_QUEUE_RETENTION_DAYS } from '../../lambdas/shared/messaging/constants.js';
import { MetricName } from '../../lambdas/shared/observability.js';
import { metricsNamespace, stageOf } from '../stage.js';
import { anyMessageAlarm } from './anyMessageAlarm.js';
import { DEAD_LETTER_RETENTION, DEFERRED_CALLS_DEFAULTS, STREAM_SOURCE_DEFAULTS, VISIBILITY_TIMEOUTS_PER_FUNCTION_TIMEOUT } from './defaults.js';
import { repoPath } from './paths.js';
import { secureQueue } from './secureQueue.js';
import type { ServiceApi } from './ServiceApi.js';
import { ServiceFunction } from './ServiceFunction.js';
import { WaitingQueue, type WaitingScheduleProps } from './WaitingQueue.js';

export interface DeferredCallsProps {
  /** The caller's table, where pending calls are written with the state change. */
  readonly table: ITable;
  /** The calling service. */
  readonly service: string;
  /** The services it calls, by the variable that carries their base URL (`HIRING_API_URL`...). */
  readonly targets: Readonly<Record<string, ServiceApi>>;
  /**
   * How long a call waits before the deferred attempt (the synchronous attempt normally wins).
   * @default 1 minute (`DEFERRED_CALLS_DEFAULTS.delay`)
   */
  readonly delay?: Duration;
  /**
   * Deferred attempts of a failing call (one per 5-minute visibility timeout) before it waits in the waiting queue.
   * @default 6 (`DEFERRED_CALLS_DEFAULTS.attemptsBeforeWaiting`)
   */
  readonly attemptsBeforeWaiting?: number;
  /**
   * Receives before SQS itself moves a message to the DLQ: only reached when the deliverer cannot
   * run its own failure handling (it crashes or times out); about an hour at the default.
   * @default 12 (`DEFERRED_CALLS_DEFAULTS.maxReceiveCount`)
   */
  readonly maxReceiveCount?: number;
  /**
   * The waiting queue's redrive schedule and horizon.
   * @default - see {@link WaitingScheduleProps}
   */
  readonly waiting?: WaitingScheduleProps;
  /**
   * Queued calls per deliverer invocation, delivered concurrently.
   * @default 10 (`DEFERRED_CALLS_DEFAULTS.batchSize`)
   */
  readonly batchSize?: number;
  /**
   * Deliverer invocations at most at once (the SQS event source's `maxConcurrency`, 2..1000), so a
   * backlog cannot fan out into the targets' throttles and spend the messages' receives on 429s.
   *
   * @default - sized against the slowest target's throttle: calls in flight (`maxConcurrency` x
   * `batchSize`) at most half its steady rate (`ServiceApi.throttlingRateLimit`), the other half
   * left to live traffic; 2 (the SQS minimum) for the APIs' 50 req/s.
   */
  readonly maxConcurrency?: number;
}

/** Share of a target's steady request rate the deferred calls may have in flight (the rest is live traffic's). */
const DEFERRED_SHARE_OF_TARGET_RATE = 0.5;

/**
 * The deliverer's default `maxConcurrency`: in-flight calls (`concurrency x batchSize`) at most
 * {@link DEFERRED_SHARE_OF_TARGET_RATE} of the slowest target's steady rate, within SQS's 2..1000.
 * A call is a signed HTTPS round trip through API Gateway, a Lambda and a DynamoDB transaction, so
 * calls in flight bound the rate roughly; a faster burst meets the target's throttle, whose 429s
 * `callService` retries with backoff inside the same invocation (no receive spent).
 */
export function deliveryConcurrency(targetRates: readonly number[], batchSize: number): number {
  if (targetRates.length === 0) return 2;
  const inFlight = Math.min(...targetRates) * DEFERRED_SHARE_OF_TARGET_RATE;
  return Math.min(1000, Math.max(2, Math.floor(inFlight / batchSize)));
}

/**
 * Delivers the synchronous calls a service could not make at once. Pending-call rows (written in
 * the same transaction as the state change) reach a scheduler through the table stream, which
 * queues each with a delay; the deliverer then calls the target unless the row is already
 * delivered. A target that stays down leaves the message in the queue, retried every visibility
 * timeout; after `attemptsBeforeWaiting` the call moves to its {@link WaitingQueue}, retried
 * automatically on a growing schedule for the horizon (default 14 days), then the DLQ
 * (`target-unavailable`), from which the console's "Start DLQ redrive" sends it back. A target's
 * 4xx sends it to the DLQ at once (`rejected`). Alarms: DLQ depth, scheduler failures, the
 * waiting queue's oldest message, and deferred-call messages whose pending-call row is missing.
 *
 * The deliverer gets each target's URL and `execute-api:Invoke` on its internal routes
 * (`addTarget`, also used by migration steps that add a legacy call).
 */
export class DeferredCalls extends Construct {
  readonly scheduler: ServiceFunction;
  readonly deliverer: ServiceFunction;
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly schedulerFailureQueue: Queue;
  readonly waiting: WaitingQueue;
  readonly alarms: { readonly deadLetters: Alarm; readonly schedulerFailures: Alarm; readonly missingRows: Alarm };
  private readonly targetRates: number[] = [];

  constructor(scope: Construct, id: string, props: DeferredCallsProps) {
    super(scope, id);
    const delivererTimeout = DEFERRED_CALLS_DEFAULTS.delivererTimeout;
    // Retentions are the ones the pending-call rows' TTL is computed from (the retention chain, lambdas/shared/messaging/constants.ts).
    this.deadLetterQueue = secureQueue(this, 'DeadLetterQueue', { retentionPeriod: DEAD_LETTER_RETENTION });
    this.queue = secureQueue(this, 'Queue', {
      retentionPeriod: Duration.days(DEFERRED_CALLS_QUEUE_RETENTION_DAYS),
      // Also the pause between deferred attempts while the target is down.
      visibilityTimeout: Duration.seconds(
        Math.max(delivererTimeout.toSeconds() * VISIBILITY_TIMEOUTS_PER_FUNCTION_TIMEOUT, DEFERRED_CALLS_DEFAULTS.minRetryPause.toSeconds()),
      ),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount ?? DEFERRED_CALLS_DEFAULTS.maxReceiveCount },
    });
    this.waiting = new WaitingQueue(this, 'Waiting', {
      service: props.service,
      target: this.queue,
      deadLetterQueue: this.deadLetterQueue,
      expiredFailureKind: 'target-unavailable',
      schedule: props.waiting,
    });
    this.schedulerFailureQueue = secureQueue(this, 'SchedulerFailureQueue');
    Validations.of(this.schedulerFailureQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'The terminal on-failure destination of the stream mapping; the pending-call rows stay in the table and can be re-scheduled from there (RUNBOOK.md).',
    });

    this.scheduler = new ServiceFunction(this, 'Scheduler', {
      service: props.service,
      entry: repoPath('lambdas/shared/calls/schedulerHandler.ts'),
      description: `hiring-events ${props.service}: pending sync calls -> delayed delivery queue`,
      // Within the size budget with the SDK bundled, and about half the init (`npm run bench`).
      bundleAwsSdk: true,
      environment: {
        DEFERRED_CALLS_QUEUE_URL: this.queue.queueUrl,
        DEFER_DELAY_SECONDS: String((props.delay ?? DEFERRED_CALLS_DEFAULTS.delay).toSeconds()),
      },
    });
    this.scheduler.addEventSource(
      new DynamoEventSource(props.table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: STREAM_SOURCE_DEFAULTS.batchSize,
        bisectBatchOnError: true,
        retryAttempts: STREAM_SOURCE_DEFAULTS.retryAttempts,
        maxRecordAge: STREAM_SOURCE_DEFAULTS.maxRecordAge,
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(this.schedulerFailureQueue),
        filters: [
          FilterCriteria.filter({
            eventName: FilterRule.isEqual('INSERT'),
            dynamodb: { NewImage: { item_type: { S: FilterRule.isEqual('call') } } },
          }),
        ],
      }),
    );
    this.queue.grantSendMessages(this.scheduler);

    this.deliverer = new ServiceFunction(this, 'Deliverer', {
      service: props.service,
      entry: repoPath('lambdas/shared/calls/delivererHandler.ts'),
      description: `hiring-events ${props.service}: delivers deferred sync calls`,
      timeout: delivererTimeout,
      environment: {
        TABLE_NAME: props.table.tableName,
        DEAD_LETTER_QUEUE_URL: this.deadLetterQueue.queueUrl,
        WAITING_QUEUE_URL: this.waiting.queue.queueUrl,
        ATTEMPTS_BEFORE_WAITING: String(props.attemptsBeforeWaiting ?? DEFERRED_CALLS_DEFAULTS.attemptsBeforeWaiting),
        // Rows are held for the horizon plus the DLQ's retention when their message moves on.
        WAITING_HORIZON_SECONDS: String(this.waiting.horizon.toSeconds()),
      },
    });
    const batchSize = props.batchSize ?? DEFERRED_CALLS_DEFAULTS.batchSize;
    this.deliverer.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize,
        reportBatchItemFailures: true,
        // Resolved at synth: migration steps add targets after construction (`addTarget`).
        maxConcurrency: props.maxConcurrency ?? Lazy.number({ produce: () => deliveryConcurrency(this.targetRates, batchSize) }),
      }),
    );
    props.table.grantReadWriteData(this.deliverer);
    this.deadLetterQueue.grantSendMessages(this.deliverer);
    this.waiting.grantSend(this.deliverer);

    const anyMessage = (queue: Queue, description: string) => anyMessageAlarm(this, `${queue.node.id}Alarm`, queue, description);
    this.alarms = {
      deadLetters: anyMessage(
        this.deadLetterQueue,
        `${props.service}: sync calls that could not be delivered (target down for long, or rejected: see failure-reason); fix, then "Start DLQ redrive"`,
      ),
      schedulerFailures: anyMessage(this.schedulerFailureQueue, `${props.service}: pending calls the scheduler gave up on; see RUNBOOK.md`),
      missingRows: new Alarm(this, 'MissingRowsAlarm', {
        alarmDescription: `${props.service}: a deferred call found no pending-call row (expired or never written) and could not be delivered; see the deliverer's error log and RUNBOOK.md`,
        metric: new Metric({
          namespace: metricsNamespace(stageOf(this)),
          metricName: MetricName.PendingCallMissing,
          dimensionsMap: { service: props.service },
          statistic: 'Sum',
          period: Duration.minutes(5),
        }),
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    };
    for (const [variable, api] of Object.entries(props.targets)) this.addTarget(variable, api);
  }

  /** Lets the deliverer call `api`'s internal routes, its base URL in `variable`. */
  addTarget(variable: string, api: ServiceApi): void {
    this.deliverer.addEnvironment(variable, api.baseUrl);
    api.grantInvoke(this.deliverer, '/internal/*');
    this.targetRates.push(api.throttlingRateLimit);
  }
}
