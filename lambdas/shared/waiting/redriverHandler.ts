import { getStringFromEnv } from '@aws-lambda-powertools/commons/utils/env';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { SQS_CLIENT_CONFIG } from '../messaging/sqsClientConfig.js';
import { countEvent, logger, MetricName, metrics } from '../observability.js';
import { redriveWaiting, type RedriveSummary } from './redriveWaiting.js';
import { scheduleFromEnv } from './scheduleFromEnv.js';

const sqs = new SQSClient(SQS_CLIENT_CONFIG);
/** Time left for the last round of sends when the run stops receiving. */
const STOP_BEFORE_TIMEOUT_MS = 15_000;

/**
 * The waiting-queue redriver, invoked on a schedule (see the `WaitingQueue` construct): one
 * `redriveWaiting` pass over `WAITING_QUEUE_URL`, due messages back to `TARGET_QUEUE_URL`,
 * expired ones to `DEAD_LETTER_QUEUE_URL` with `failure-kind = EXPIRED_FAILURE_KIND`.
 * Fails (so the invocation counts as an error) when some message could not be handled; those
 * stay in the waiting queue for the next run.
 */
export async function handler(_event: unknown, context?: Context): Promise<RedriveSummary> {
  const summary = await redriveWaiting({
    sqs,
    waitingQueueUrl: getStringFromEnv({ key: 'WAITING_QUEUE_URL' }),
    targetQueueUrl: getStringFromEnv({ key: 'TARGET_QUEUE_URL' }),
    deadLetterQueueUrl: getStringFromEnv({ key: 'DEAD_LETTER_QUEUE_URL' }),
    expiredKind: getStringFromEnv({ key: 'EXPIRED_FAILURE_KIND' }),
    schedule: scheduleFromEnv(),
    logger,
    keepGoing: () => !context || context.getRemainingTimeInMillis() > STOP_BEFORE_TIMEOUT_MS,
  });
  if (summary.redriven + summary.expired > 0) {
    countEvent(MetricName.WaitingRedriven, summary.redriven);
    countEvent(MetricName.WaitingExpired, summary.expired);
    // Only then: most runs find nothing due, and an empty publish only logs a warning.
    metrics.publishStoredMetrics();
  }
  if (summary.redriven + summary.expired + summary.failed > 0) logger.info('waiting queue redriven', { ...summary });
  if (summary.failed > 0) throw new Error(`${summary.failed} waiting message(s) could not be handled; they stay for the next run`);
  return summary;
}
