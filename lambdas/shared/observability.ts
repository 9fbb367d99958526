import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/**
 * The one place that creates the Powertools logger and metrics shared by every Lambda.
 *
 * The service name comes from `POWERTOOLS_SERVICE_NAME` (set by `ServiceFunction`), so the same
 * module serves hiring, tasks and bonus; metrics carry it as the `service` dimension.
 *
 * @example
 * ```ts
 * import { logger, metrics, MetricName, countEvent } from '../shared/observability.js';
 * logger.info('started');
 * countEvent(MetricName.EventsConsumed);
 * metrics.publishStoredMetrics();
 * ```
 */
export const METRICS_NAMESPACE = 'HiringEvents';

/**
 * Metric names emitted by the messaging kit (dimension `service`; namespace `HiringEvents/<stage>`,
 * which `ServiceFunction` sets in `POWERTOOLS_METRICS_NAMESPACE`, `HiringEvents` outside a deployed function).
 */
export const MetricName = {
  EventsPublished: 'EventsPublished',
  PublishFailed: 'PublishFailed',
  EventsRepublished: 'EventsRepublished',
  /** Outbox failure messages the republisher could not resolve (kept in its unresolved queue for a person). */
  RepublishUnresolved: 'RepublishUnresolved',
  EventsConsumed: 'EventsConsumed',
  EventsDuplicate: 'EventsDuplicate',
  EventsStale: 'EventsStale',
  EventsParked: 'EventsParked',
  EventsDeadLettered: 'EventsDeadLettered',
  /** Parking budget spent, prerequisite still missing: the event went to its waiting queue. */
  EventsWaiting: 'EventsWaiting',
  /** A deferred call whose target kept failing went to the calls' waiting queue. */
  CallsWaiting: 'CallsWaiting',
  /** The redriver moved a due message from a waiting queue back to its queue. */
  WaitingRedriven: 'WaitingRedriven',
  /** A waiting message outlived the redrive horizon and went to the DLQ. */
  WaitingExpired: 'WaitingExpired',
  /** A deferred-call message found no pending-call row (expired or never written): nothing to deliver. */
  PendingCallMissing: 'PendingCallMissing',
  /** A batch transaction cancelled by `TransactionConflict` and retried in process (one per retry). */
  TransactionConflictsRetried: 'TransactionConflictsRetried',
  /** Records returned to SQS (batch item failures) because conflicts outlasted the retry budget. */
  TransactionConflictsReturnedToSqs: 'TransactionConflictsReturnedToSqs',
  /** A throttled batch transaction or batch read retried in process (one per retry). */
  TransactionThrottlesRetried: 'TransactionThrottlesRetried',
  /** Records returned to SQS because throttling (or another transient error) outlasted the retry budget. */
  TransactionThrottlesReturnedToSqs: 'TransactionThrottlesReturnedToSqs',
} as const;
export type MetricName = (typeof MetricName)[keyof typeof MetricName];

const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? 'hiring-events';

export const logger = new Logger({ serviceName });

export const metrics = new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE, serviceName });

/** Adds `count` to a messaging metric; published by `metrics.publishStoredMetrics()` at the end of the invocation. */
export function countEvent(name: MetricName, count = 1): void {
  if (count > 0) metrics.addMetric(name, MetricUnit.Count, count);
}

/** Log keys that identify one event in every log line written while handling it. */
export interface EventLogKeys {
  event_id?: string;
  event_name?: string;
  event_version?: string;
  correlation_id?: string;
}

/**
 * A child logger carrying the event's keys. Records of a batch run concurrently, so keys are
 * attached to a per-record child instead of `appendKeys` on the shared logger (which would leak
 * one record's keys into another's lines).
 */
export function eventLogger(keys: EventLogKeys): Logger {
  const persistentKeys = Object.fromEntries(Object.entries(keys).filter(([, value]) => value !== undefined));
  return logger.createChild({ persistentKeys });
}
