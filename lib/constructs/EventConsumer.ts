import { Duration, Names, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData, type IAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, type IEventBus } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, RedrivePermission } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { eventSource } from '../../lambdas/shared/messaging/constants.js';
import { anyMessageAlarm } from './anyMessageAlarm.js';
import { CONSUMER_DEFAULTS, DEAD_LETTER_RETENTION, VISIBILITY_TIMEOUTS_PER_FUNCTION_TIMEOUT } from './defaults.js';
import { secureQueue } from './secureQueue.js';
import { ServiceFunction } from './ServiceFunction.js';
import { WaitingQueue, type WaitingScheduleProps } from './WaitingQueue.js';

/** One consumed event and the versions the consumer handles. */
export interface ConsumedEvent {
  readonly name: string;
  readonly versions: readonly string[];
}

/** Parking budget for messages whose prerequisite has not arrived yet. */
export interface ConsumerParkingProps {
  /**
   * Parks before the message moves to the waiting queue (30 s, 1, 2, 4, 8, 15, 15, 15 min: about an hour).
   * @default 8 (`CONSUMER_DEFAULTS.parkMaxAttempts`)
   */
  readonly maxAttempts?: number;
  /**
   * First delay, doubled each park, capped at 900 s.
   * @default 30 seconds (`CONSUMER_DEFAULTS.parkBaseDelay`)
   */
  readonly baseDelay?: Duration;
}

export interface EventConsumerProps {
  readonly bus: IEventBus;
  /** The producing service; rules match `source = hiring-events.<producer>`. */
  readonly producer: string;
  readonly events: readonly ConsumedEvent[];
  /** Absolute path of the TS module exporting `handler = createConsumer({...})`. */
  readonly handlerEntry: string;
  /** The consumer's service table: read/write granted, `TABLE_NAME` set. */
  readonly table: ITable;
  /**
   * The consuming service, e.g. `bonus`.
   * @default - the construct id
   */
  readonly service?: string;
  /**
   * Extra environment of the consumer function.
   * @default - only what the construct sets (table, queues, parking budget)
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Function timeout; the queue's visibility timeout is 6 times this.
   * @default 30 seconds (`CONSUMER_DEFAULTS.timeout`)
   */
  readonly timeout?: Duration;
  /**
   * Receives before SQS moves a message to the DLQ (transient failures).
   * @default 5 (`CONSUMER_DEFAULTS.maxReceiveCount`)
   */
  readonly maxReceiveCount?: number;
  /**
   * Parking budget for messages whose prerequisite has not arrived yet.
   * @default - see {@link ConsumerParkingProps}
   */
  readonly parking?: ConsumerParkingProps;
  /**
   * The waiting queue's redrive schedule and horizon (after the parking budget).
   * @default - see {@link WaitingScheduleProps}
   */
  readonly waiting?: WaitingScheduleProps;
  /**
   * Records per invocation (SQS event source `BatchSize`); see {@link BATCH_HANDLER_DELIVERY} for
   * consumers with batch handlers.
   * @default 10 (`CONSUMER_DEFAULTS.batchSize`)
   */
  readonly batchSize?: number;
  /**
   * How long the event source gathers records before invoking with fewer than `batchSize`
   * (`MaximumBatchingWindowInSeconds`; required above 10 records). It bounds the extra latency a
   * quiet queue adds to each event.
   * @default 1 second (`CONSUMER_DEFAULTS.maxBatchingWindow`)
   */
  readonly maxBatchingWindow?: Duration;
  /**
   * Most concurrent invocations the event source starts (`ScalingConfig.MaximumConcurrency`, 2..1000).
   * Bounded by default so a backlog (a redrive, a replay from the archive) drains at a steady pace
   * instead of taking the account's concurrency and hot-spotting the table.
   * @default 10 (`CONSUMER_DEFAULTS.maxConcurrency`)
   */
  readonly maxConcurrency?: number;
  /**
   * Age of the oldest message that raises the alarm (parking delays included).
   * @default 1 hour (`CONSUMER_DEFAULTS.maxMessageAge`)
   */
  readonly maxMessageAge?: Duration;
}

/**
 * Event source settings of a consumer whose handlers credit per batch (the messaging kit's batch
 * handlers: one `BatchGetItem` and one `TransactWriteItems` per invocation), chosen for bonus's
 * `TaskSolved`, which reads up to 3 keys (processed marker, manager, rating history) and writes up
 * to 3 items (marker, ledger entry, the manager's balance, merged per manager) per record:
 * - `batchSize: 30`: at most 90 keys and 90 items, so a batch stays ONE read (100 keys) and ONE
 *   transaction (100 items) — about 0.07 requests a record instead of 0.2 at 10 records;
 * - `maxBatchingWindow: 1 s`: batches fill under load; a quiet queue adds at most a second;
 * - `maxConcurrency: 5`: every concurrent batch with a solution of the same manager updates that
 *   manager's balance item, and concurrent transactions on one item cancel each other
 *   (`TransactionConflict`, retried in process). Five invocations keep those retries short during
 *   a burst for one manager, while their throughput (5 x 30 records per ~50 ms round trip pair on
 *   DynamoDB, ~3,000 records/s) stays far above the load the platform expects.
 */
export const BATCH_HANDLER_DELIVERY = {
  batchSize: 30,
  maxBatchingWindow: Duration.seconds(1),
  maxConcurrency: 5,
} as const satisfies Pick<EventConsumerProps, 'batchSize' | 'maxBatchingWindow' | 'maxConcurrency'>;

/**
 * One consumer of events from the bus: per event name a rule
 * `{ source: [hiring-events.<producer>], detail-type: [name], detail: { event_version: [...] } }`
 * -> SQS queue (SSE, SSL-only, 4 days, visibility 6x the function timeout) with a DLQ (SSE,
 * SSL-only, 14 days, redrive allowed only from its source queue, so the console's "Start DLQ
 * redrive" works) -> Lambda with batch item failures. The same DLQ catches EventBridge delivery
 * failures (their body is the EventBridge event too, so a redrive feeds them to the consumer).
 * A message whose prerequisite is still missing after the parking budget goes to the consumer's
 * own {@link WaitingQueue} (not the DLQ), redriven back to the queue on a schedule until the
 * horizon, then to the DLQ as `prerequisite-missing`.
 * Alarms on DLQ depth and on the age of the oldest message (queue and waiting queue).
 *
 * @example
 * ```ts
 * new EventConsumer(this, 'TaskSolvedConsumer', {
 *   bus, producer: 'hiring', service: 'bonus', table,
 *   events: [{ name: 'TaskSolved', versions: ['0'] }],
 *   handlerEntry: 'lambdas/bonus/taskSolvedConsumer.ts',
 * });
 * ```
 */
export class EventConsumer extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly waiting: WaitingQueue;
  readonly function: ServiceFunction;
  readonly rules: Rule[];
  readonly alarms: { readonly deadLetters: IAlarm; readonly oldestMessageAge: IAlarm };

  constructor(scope: Construct, id: string, props: EventConsumerProps) {
    super(scope, id);
    if (props.events.length === 0) throw new Error('EventConsumer: at least one event is required');
    for (const event of props.events) {
      if (event.versions.length === 0) throw new Error(`EventConsumer: ${event.name} lists no version`);
    }
    const service = props.service ?? id;
    const timeout = props.timeout ?? CONSUMER_DEFAULTS.timeout;

    // The DLQ allows redrive only from its source queue (so the console's "Start DLQ redrive"
    // works and nothing else can use it as a DLQ). The source queue's redrive policy already
    // references the DLQ, so referencing the queue's ARN back would be a CloudFormation cycle:
    // the source queue gets a deterministic physical name and the DLQ names its ARN.
    const queueName = Names.uniqueResourceName(this, { maxLength: 80, separator: '-' });
    this.deadLetterQueue = secureQueue(this, 'DeadLetterQueue', {
      retentionPeriod: DEAD_LETTER_RETENTION,
      redriveAllowPolicy: {
        redrivePermission: RedrivePermission.BY_QUEUE,
        sourceQueues: [Queue.fromQueueArn(this, 'SourceQueueRef', Stack.of(this).formatArn({ service: 'sqs', resource: queueName }))],
      },
    });
    this.queue = secureQueue(this, 'Queue', {
      queueName,
      retentionPeriod: CONSUMER_DEFAULTS.queueRetention,
      visibilityTimeout: Duration.seconds(timeout.toSeconds() * VISIBILITY_TIMEOUTS_PER_FUNCTION_TIMEOUT),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount ?? CONSUMER_DEFAULTS.maxReceiveCount },
    });

    this.waiting = new WaitingQueue(this, 'Waiting', {
      service,
      target: this.queue,
      deadLetterQueue: this.deadLetterQueue,
      expiredFailureKind: 'prerequisite-missing',
      schedule: props.waiting,
    });

    this.rules = props.events.map(
      (event) =>
        new Rule(this, `Rule${event.name}`, {
          eventBus: props.bus,
          description: `${event.name} v${event.versions.join(', v')} from ${props.producer} to ${service}`,
          eventPattern: {
            source: [eventSource(props.producer)],
            detailType: [event.name],
            detail: { event_version: [...event.versions] },
          },
          targets: [
            new SqsQueue(this.queue, {
              deadLetterQueue: this.deadLetterQueue,
              retryAttempts: CONSUMER_DEFAULTS.deliveryRetryAttempts,
              maxEventAge: CONSUMER_DEFAULTS.deliveryMaxEventAge,
            }),
          ],
        }),
    );

    this.function = new ServiceFunction(this, 'Function', {
      service,
      entry: props.handlerEntry,
      description: `hiring-events ${service}: consumes ${props.events.map((e) => e.name).join(', ')} from ${props.producer}`,
      timeout,
      environment: {
        TABLE_NAME: props.table.tableName,
        QUEUE_URL: this.queue.queueUrl,
        DEAD_LETTER_QUEUE_URL: this.deadLetterQueue.queueUrl,
        WAITING_QUEUE_URL: this.waiting.queue.queueUrl,
        PARK_MAX_ATTEMPTS: String(props.parking?.maxAttempts ?? CONSUMER_DEFAULTS.parkMaxAttempts),
        PARK_BASE_DELAY_SECONDS: String((props.parking?.baseDelay ?? CONSUMER_DEFAULTS.parkBaseDelay).toSeconds()),
        ...props.environment,
      },
    });
    this.function.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: props.batchSize ?? CONSUMER_DEFAULTS.batchSize,
        maxBatchingWindow: props.maxBatchingWindow ?? CONSUMER_DEFAULTS.maxBatchingWindow,
        maxConcurrency: props.maxConcurrency ?? CONSUMER_DEFAULTS.maxConcurrency,
        reportBatchItemFailures: true,
      }),
    );
    props.table.grantReadWriteData(this.function);
    // Parking re-sends to its own queue; exhausted parks go to the waiting queue, poison to the DLQ.
    this.queue.grantSendMessages(this.function);
    this.waiting.grantSend(this.function);
    this.deadLetterQueue.grantSendMessages(this.function);

    this.alarms = {
      deadLetters: anyMessageAlarm(
        this,
        'DeadLettersAlarm',
        this.deadLetterQueue,
        `${service}: messages in the DLQ of ${id}; read their failure-reason attribute, fix, then "Start DLQ redrive"`,
      ),
      oldestMessageAge: new Alarm(this, 'OldestMessageAgeAlarm', {
        alarmDescription: `${service}: the oldest message of ${id} waits too long (consumer failing or too slow)`,
        metric: this.queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(1), statistic: 'Maximum' }),
        threshold: (props.maxMessageAge ?? CONSUMER_DEFAULTS.maxMessageAge).toSeconds(),
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 5,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    };
  }
}
