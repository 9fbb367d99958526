import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DEFAULT_ATTEMPTS_BEFORE_WAITING } from '../../lambdas/shared/calls/constants.js';
import {
  ARCHIVE_RETENTION_DAYS,
  CONSUMER_QUEUE_RETENTION_DAYS,
  DEAD_LETTER_RETENTION_DAYS,
  DEFAULT_PARK_BASE_DELAY_SECONDS,
  DEFAULT_PARK_MAX_ATTEMPTS,
  DEFAULT_WAITING_FIRST_DELAY_SECONDS,
  DEFAULT_WAITING_MAX_DELAY_SECONDS,
  EVENT_DELIVERY_MAX_AGE_DAYS,
  STREAM_MAX_RECORD_AGE_DAYS,
  WAITING_REDRIVE_HORIZON_DAYS,
} from '../../lambdas/shared/messaging/constants.js';

/*
 * Every default of the project's constructs, written once. The constructors fall back to these,
 * the props' `@default` tags name them (test/infra/constructs/defaults.test.ts checks that each tag
 * says the value written here), and lib/config.ts falls back to them for the CDK context keys.
 * Values the Lambda handlers read too (the parking budget, the waiting schedule, attempts before
 * waiting, the retention chain) come from the messaging kit's constants, the handlers' own defaults.
 */

/** SQS's ceiling on a queue's retention (14 days). */
export const SQS_MAX_RETENTION = Duration.days(14);

/**
 * A queue that feeds a Lambda function hides a received message for this many function timeouts:
 * AWS's guidance for SQS event sources (at least 6x), so a batch retried by the event source is not
 * seen again while it still runs.
 */
export const VISIBILITY_TIMEOUTS_PER_FUNCTION_TIMEOUT = 6;

/** `ServiceFunction`: every Lambda function of the app. */
export const FUNCTION_DEFAULTS = {
  memorySize: 256,
  /** The runtime's AWS SDK (bundles stay small); see `ServiceFunctionProps.bundleAwsSdk`. */
  bundleAwsSdk: false,
  timeout: Duration.seconds(30),
  /** Retention of every log group the app creates (functions, API access logs, the provider framework's). */
  logRetention: RetentionDays.ONE_MONTH,
} as const;

/** `EventConsumer`: rule -> queue (+ DLQ, waiting queue) -> consumer function. */
export const CONSUMER_DEFAULTS = {
  timeout: FUNCTION_DEFAULTS.timeout,
  /** Receives before SQS moves a message to the DLQ (transient failures). */
  maxReceiveCount: 5,
  /** 8 parks (30 s, 1, 2, 4, 8, 15, 15, 15 min: about an hour) before the waiting queue. */
  parkMaxAttempts: DEFAULT_PARK_MAX_ATTEMPTS,
  /** First park's delay, doubled each park, capped at SQS's 900 s. */
  parkBaseDelay: Duration.seconds(DEFAULT_PARK_BASE_DELAY_SECONDS),
  /** Per-record handlers: a record costs its own requests whatever the batch size. */
  batchSize: 10,
  maxBatchingWindow: Duration.seconds(1),
  /** Bounded so a backlog (a redrive, a replay) drains at a steady pace instead of taking the account's concurrency. */
  maxConcurrency: 10,
  /** Age of the oldest message that raises the alarm (parking delays included). */
  maxMessageAge: Duration.hours(1),
  queueRetention: Duration.days(CONSUMER_QUEUE_RETENTION_DAYS),
  /** EventBridge's delivery retries to the queue: its maximum (185 attempts over 24 h), then the DLQ. */
  deliveryRetryAttempts: 185,
  deliveryMaxEventAge: Duration.days(EVENT_DELIVERY_MAX_AGE_DAYS),
} as const;

/** Every DLQ, failure and unresolved queue: the retention chain's longest (SQS's maximum). */
export const DEAD_LETTER_RETENTION = Duration.days(DEAD_LETTER_RETENTION_DAYS);

/** The stream event sources (outbox publisher, deferred-call scheduler). */
export const STREAM_SOURCE_DEFAULTS = {
  /** Stream records per invocation (five PutEvents calls for the publisher). */
  batchSize: 50,
  /** Retries of a failing batch before it goes to the on-failure queue. */
  retryAttempts: 10,
  /** Oldest record still retried: a stream keeps records 24 h. */
  maxRecordAge: Duration.days(STREAM_MAX_RECORD_AGE_DAYS),
} as const;

/** `OutboxPublisher`. */
export const OUTBOX_DEFAULTS = {
  ...STREAM_SOURCE_DEFAULTS,
  publisherTimeout: Duration.seconds(60),
  republisherTimeout: Duration.minutes(5),
  /** Seconds the republisher widens a failed batch's arrival window by. */
  republishMarginSeconds: 300,
  /** How often the republisher drains the failure queue on its own. */
  republishEvery: Duration.minutes(15),
} as const;

/** `WaitingQueue`: the redrive schedule of messages that cannot succeed yet. */
export const WAITING_DEFAULTS = {
  firstDelay: Duration.seconds(DEFAULT_WAITING_FIRST_DELAY_SECONDS),
  maxDelay: Duration.seconds(DEFAULT_WAITING_MAX_DELAY_SECONDS),
  horizon: Duration.days(WAITING_REDRIVE_HORIZON_DAYS),
  /** How often the redriver runs (EventBridge's finest rate is 1 minute). */
  redriveEvery: Duration.minutes(5),
  redriverTimeout: Duration.minutes(2),
} as const;

/** `DeferredCalls`: synchronous calls delivered later from their pending-call rows. */
export const DEFERRED_CALLS_DEFAULTS = {
  /** Wait before the deferred attempt (the synchronous attempt normally wins). */
  delay: Duration.seconds(60),
  /** Deferred attempts (one per visibility timeout) before the call waits in the waiting queue. */
  attemptsBeforeWaiting: DEFAULT_ATTEMPTS_BEFORE_WAITING,
  /** Receives before SQS itself moves a message to the DLQ (about an hour at 5 minutes each). */
  maxReceiveCount: 12,
  batchSize: 10,
  delivererTimeout: FUNCTION_DEFAULTS.timeout,
  /** Shortest pause between deferred attempts (the queue's visibility timeout). */
  minRetryPause: Duration.minutes(5),
} as const;

/** `ServiceApi`: a service's REST API. */
export const API_DEFAULTS = {
  stageName: 'v1',
  /** Steady-state requests per second per stage. */
  throttlingRateLimit: 50,
  throttlingBurstLimit: 100,
  /** API Gateway's ceiling on an integration's timeout. */
  integrationTimeout: Duration.seconds(29),
} as const;

/** `ServiceTable`: a service's data (and its outbox) must survive a stack deletion. */
export const TABLE_DEFAULTS = { removalPolicy: RemovalPolicy.RETAIN } as const;

/** `ServiceDashboard`. */
export const DASHBOARD_DEFAULTS = { period: Duration.minutes(5) } as const;

/** `PlatformStack`. */
export const PLATFORM_DEFAULTS = {
  /** How long the bus archive keeps events for replay. */
  archiveRetention: Duration.days(ARCHIVE_RETENTION_DAYS),
} as const;
