import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/**
 * An alarm on any visible message in `queue` (maximum over one minute above 0): for queues that
 * should stay empty, DLQs, failure and unresolved queues, where one message means a person is needed.
 *
 * @example
 * ```ts
 * anyMessageAlarm(this, 'FailureQueueAlarm', failureQueue, 'Outbox batches were given up on (RUNBOOK.md)');
 * ```
 */
export function anyMessageAlarm(scope: Construct, id: string, queue: IQueue, description: string): Alarm {
  return new Alarm(scope, id, {
    alarmDescription: description,
    metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
    threshold: 0,
    comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
}
