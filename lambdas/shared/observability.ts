import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { MiddlewareObj } from '@middy/core';

/**
 * The one place that creates the Powertools logger and metrics shared by every Lambda, and the middy
 * middlewares every entry point uses (`powertools()`).
 *
 * No Powertools Tracer: it pulls aws-xray-sdk-core, semver and cls-hooked into every bundle
 * (~120 KB minified, up to ~50 ms more module init, `npm run bench` prints both variants), which puts
 * the HTTP functions over the 250 KB budget. X-Ray stays on (`ServiceFunction`'s active tracing):
 * Lambda records each invocation's segment itself (see `shared/http/README.md`).
 *
 * The service name comes from `POWERTOOLS_SERVICE_NAME` (set by `ServiceFunction`), so the same
 * module serves hiring, tasks and bonus; metrics carry it as the `service` dimension.
 *
 * @example
 * ```ts
 * import middy from '@middy/core';
 * import { logger, powertools } from '../shared/observability.js';
 * export const handler = middy().use(powertools()).handler(async (event) => {
 *   logger.info('started'); // carries the Lambda context's keys
 *   countEvent(MetricName.EventsConsumed); // published by logMetrics when the invocation ends
 * });
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

/**
 * The metrics of the messaging kit and the services. Its own diagnostics go to an ERROR-level child
 * of the logger: `logMetrics` flushes after every invocation, and an invocation that counted nothing
 * (most HTTP requests) would otherwise print "No application metrics to publish" each time.
 */
export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE,
  serviceName,
  logger: logger.createChild({ logLevel: 'ERROR' }),
});

/**
 * The Powertools middlewares of every entry point, in the order Powertools documents: the logger
 * gets the Lambda context (request id, cold start), and metrics are flushed when the invocation ends
 * (also on error).
 */
export function powertools(): MiddlewareObj[] {
  return [injectLambdaContext(logger), logMetrics(metrics, { captureColdStartMetric: false })] as MiddlewareObj[];
}

/** Adds `count` to a messaging metric; published by `metrics.publishStoredMetrics()` at the end of the invocation. */
export function countEvent(name: MetricName, count = 1): void {
  if (count > 0) metrics.addMetric(name, MetricUnit.Count, count);
}
