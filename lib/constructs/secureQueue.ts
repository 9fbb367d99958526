import { Duration } from 'aws-cdk-lib';
import { Queue, QueueEncryption, type QueueProps } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { DEAD_LETTER_RETENTION_DAYS } from '../../lambdas/shared/messaging/constants.js';

/**
 * An SQS queue with the project's baseline: SSE with SQS-managed keys, SSL-only access policy.
 * Defaults to 14-day retention (the maximum, `DEAD_LETTER_RETENTION_DAYS`), which suits DLQs and failure queues.
 */
export function secureQueue(scope: Construct, id: string, props: QueueProps = {}): Queue {
  return new Queue(scope, id, {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(DEAD_LETTER_RETENTION_DAYS),
    ...props,
  });
}
