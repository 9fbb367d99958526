import { Duration, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IQueue, Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { MAX_VISIBILITY_TIMEOUT_SECONDS } from '../../lambdas/shared/messaging/constants.js';
import { SQS_MAX_RETENTION, WAITING_DEFAULTS } from './defaults.js';
import { repoPath } from './paths.js';
import { secureQueue } from './secureQueue.js';
import { ServiceFunction } from './ServiceFunction.js';

/** When waiting messages go back to their queue, and when they are given up on. */
export interface WaitingScheduleProps {
  /**
   * Wait of the first round, doubled each round.
   * @default 5 minutes (`WAITING_DEFAULTS.firstDelay`)
   */
  readonly firstDelay?: Duration;
  /**
   * Cap of one round's wait (at most 12 h, SQS's visibility ceiling).
   * @default 6 hours (`WAITING_DEFAULTS.maxDelay`)
   */
  readonly maxDelay?: Duration;
  /**
   * From the first entry into the waiting queue to the DLQ.
   * @default 14 days (`WAITING_DEFAULTS.horizon`)
   */
  readonly horizon?: Duration;
  /**
   * How often the redriver runs (at least 1 minute: EventBridge's finest rate).
   * @default 5 minutes (`WAITING_DEFAULTS.redriveEvery`)
   */
  readonly redriveEvery?: Duration;
}

export interface WaitingQueueProps {
  /** The owning service (the redriver's `POWERTOOLS_SERVICE_NAME`). */
  readonly service: string;
  /** The queue due messages go back to. */
  readonly target: IQueue;
  /** The queue messages past the horizon go to. */
  readonly deadLetterQueue: IQueue;
  /** `failure-kind` of an expired message in the DLQ, e.g. `prerequisite-missing`. */
  readonly expiredFailureKind: string;
  /**
   * When waiting messages go back, and when they are given up on.
   * @default - see {@link WaitingScheduleProps}
   */
  readonly schedule?: WaitingScheduleProps;
}

/** A waiting message is a fresh message each round, so one round must fit in SQS's retention ceiling. */
const RETENTION = SQS_MAX_RETENTION;

/**
 * A dead-letter queue apart from the DLQ, for messages that cannot succeed YET (an event whose
 * prerequisite has not arrived after the parking budget, a deferred call whose target keeps
 * failing), drained by a scheduled redriver that sends each back to `target` on a growing
 * schedule (first delay, doubling, capped) and to `deadLetterQueue` only after the horizon,
 * with `failure-kind` = `expiredFailureKind` and the last reason.
 *
 * Why a rate rule -> Lambda, and not SQS `StartMessageMoveTask` (what the console's DLQ redrive
 * calls): a move task moves a DLQ's messages all at once, only back to the source SQS recorded
 * (or one chosen queue), one task per queue at a time, and knows nothing of a message's age or
 * attempts, so it can neither space retries out per message nor stop at a horizon; and the
 * consumer queue's one DLQ slot is taken by the poison DLQ. EventBridge Scheduler would do as
 * well as a rule but needs its own role per schedule; a rule on the default bus needs only the
 * Lambda permission. The redriver decides per message from its `waiting-since` / `waiting-round`
 * attributes and hides a message that is not due with its visibility timeout, so each run only
 * sees what is due (`lambdas/shared/waiting`).
 *
 * Retention: a message stays here at most one round (it is re-sent, as a new message, each
 * time it comes back), so the 14-day retention only has to outlast the longest round (capped at
 * 12 h) plus an outage of the redriver; the horizon itself counts from `waiting-since`, carried
 * from round to round. The alarm on the age of the oldest message fires when a message has
 * waited longer than any healthy round can (`maxDelay` + three runs): the redriver is not
 * draining, and there are days left before the retention would delete anything.
 *
 * @example
 * ```ts
 * const waiting = new WaitingQueue(this, 'Waiting', { service: 'bonus', target: queue, deadLetterQueue: dlq, expiredFailureKind: 'prerequisite-missing' });
 * waiting.grantSend(consumerFunction);
 * ```
 */
export class WaitingQueue extends Construct {
  readonly queue: Queue;
  readonly redriver: ServiceFunction;
  readonly schedule: Rule;
  /** From the first entry into the waiting queue to the DLQ. */
  readonly horizon: Duration;
  readonly alarms: { readonly oldestMessageAge: Alarm };

  constructor(scope: Construct, id: string, props: WaitingQueueProps) {
    super(scope, id);
    const firstDelay = props.schedule?.firstDelay ?? WAITING_DEFAULTS.firstDelay;
    const maxDelay = props.schedule?.maxDelay ?? WAITING_DEFAULTS.maxDelay;
    const horizon = props.schedule?.horizon ?? WAITING_DEFAULTS.horizon;
    this.horizon = horizon;
    const redriveEvery = props.schedule?.redriveEvery ?? WAITING_DEFAULTS.redriveEvery;
    if (maxDelay.toSeconds() > MAX_VISIBILITY_TIMEOUT_SECONDS) throw new Error(`${this.node.path}: maxDelay must be at most 12 hours (SQS visibility ceiling)`);
    if (firstDelay.toSeconds() > maxDelay.toSeconds()) throw new Error(`${this.node.path}: firstDelay must not exceed maxDelay`);
    if (horizon.toSeconds() < firstDelay.toSeconds()) throw new Error(`${this.node.path}: the horizon must be at least the first delay`);
    const longestStay = maxDelay.toSeconds() + 3 * redriveEvery.toSeconds();
    if (longestStay >= RETENTION.toSeconds()) throw new Error(`${this.node.path}: one round (maxDelay + 3 runs) must fit in the 14-day retention`);

    this.queue = secureQueue(this, 'Queue', { retentionPeriod: RETENTION });
    Validations.of(this.queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'A waiting queue is itself a dead-letter stage: its only reader, the redriver, sends every message on (back to its queue, or to the DLQ after the horizon); SQS receive counts play no part.',
    });

    this.redriver = new ServiceFunction(this, 'Redriver', {
      service: props.service,
      entry: repoPath('lambdas/shared/waiting/redriverHandler.ts'),
      description: `hiring-events ${props.service}: waiting queue -> back to its queue when due, DLQ after the horizon`,
      timeout: WAITING_DEFAULTS.redriverTimeout,
      // Within the size budget with the SDK bundled, and about half the init (`npm run bench`).
      bundleAwsSdk: true,
      environment: {
        WAITING_QUEUE_URL: this.queue.queueUrl,
        TARGET_QUEUE_URL: props.target.queueUrl,
        DEAD_LETTER_QUEUE_URL: props.deadLetterQueue.queueUrl,
        EXPIRED_FAILURE_KIND: props.expiredFailureKind,
        WAITING_FIRST_DELAY_SECONDS: String(firstDelay.toSeconds()),
        WAITING_MAX_DELAY_SECONDS: String(maxDelay.toSeconds()),
        WAITING_HORIZON_SECONDS: String(horizon.toSeconds()),
      },
    });
    this.queue.grantConsumeMessages(this.redriver);
    props.target.grantSendMessages(this.redriver);
    props.deadLetterQueue.grantSendMessages(this.redriver);

    this.schedule = new Rule(this, 'RedriveSchedule', {
      description: `Runs the ${props.service} waiting-queue redriver of ${scope.node.id}`,
      schedule: Schedule.rate(redriveEvery),
      // A missed run is harmless: the next one sees every due message.
      targets: [new LambdaFunction(this.redriver, { retryAttempts: 0 })],
    });

    this.alarms = {
      oldestMessageAge: new Alarm(this, 'OldestMessageAgeAlarm', {
        alarmDescription: `${props.service}: a message of the ${scope.node.id} waiting queue is older than one round can be; the redriver is not draining it (see RUNBOOK.md)`,
        metric: this.queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5), statistic: 'Maximum' }),
        threshold: longestStay,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    };
  }

  /** Lets `grantee` put messages in the waiting queue. */
  grantSend(grantee: IGrantable): void {
    this.queue.grantSendMessages(grantee);
  }
}
