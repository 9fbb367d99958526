import { Duration, Stack } from 'aws-cdk-lib';
import {
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  PeriodOverride,
  TextWidget,
  type IMetric,
  type IWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { MetricName } from '../../lambdas/shared/observability.js';
import { metricsNamespace, stageOf } from '../stage.js';
import { DASHBOARD_DEFAULTS } from './defaults.js';
import type { DeferredCalls } from './DeferredCalls.js';
import type { EventConsumer } from './EventConsumer.js';
import type { OutboxPublisher } from './OutboxPublisher.js';
import type { ServiceHttpApi } from './ServiceHttpApi.js';

/** A queue shown on the dashboard; `deadLetter` marks DLQs and failure queues (they should stay empty). */
export interface DashboardQueue {
  readonly label: string;
  readonly queue: IQueue;
  readonly deadLetter: boolean;
}

/** The parts of one service, as `ServicesStack` builds them. */
export interface ServiceParts {
  readonly http: ServiceHttpApi;
  /**
   * The service's event consumers.
   * @default - none: the service consumes no events
   */
  readonly consumers?: readonly EventConsumer[];
  /**
   * The service's outbox publisher.
   * @default - none: the service publishes no events
   */
  readonly outbox?: OutboxPublisher;
  /**
   * The service's deferred calls.
   * @default - none: the service calls no other service
   */
  readonly calls?: DeferredCalls;
}

export interface ServiceDashboardProps {
  /** The service, e.g. `bonus`: dashboard name and the `service` dimension of the messaging metrics. */
  readonly service: string;
  readonly parts: ServiceParts;
  /**
   * Period of every graph.
   * @default 5 minutes (`DASHBOARD_DEFAULTS.period`)
   */
  readonly period?: Duration;
}

/** The messaging metrics the kit emits (namespace `HiringEvents/<stage>`, dimension `service`). */
export const MESSAGING_METRICS: readonly string[] = [
  MetricName.EventsPublished,
  MetricName.PublishFailed,
  MetricName.EventsRepublished,
  MetricName.RepublishUnresolved,
  MetricName.EventsConsumed,
  MetricName.EventsDuplicate,
  MetricName.EventsStale,
  MetricName.EventsParked,
  MetricName.EventsDeadLettered,
  MetricName.EventsWaiting,
  MetricName.CallsWaiting,
  MetricName.WaitingRedriven,
  MetricName.WaitingExpired,
  MetricName.PendingCallMissing,
];

/** Every function of a service, labelled by the construct path below the service's top-level construct. */
export function functionsOf(parts: ServiceParts): { label: string; fn: IFunction }[] {
  // `<Owner>/<Function>`; a waiting queue's redriver keeps its owner too (`BonusFromTasks/Waiting/Redriver`).
  const label = (fn: Construct) => {
    const path = fn.node.path.split('/');
    return path.slice(path.at(-2) === 'Waiting' ? -3 : -2).join('/');
  };
  const fns: IFunction[] = [
    parts.http.function,
    ...(parts.consumers ?? []).flatMap((c) => [c.function, c.waiting.redriver]),
    ...(parts.outbox ? [parts.outbox.function, parts.outbox.republisher] : []),
    ...(parts.calls ? [parts.calls.scheduler, parts.calls.deliverer, parts.calls.waiting.redriver] : []),
  ];
  return fns.map((fn) => ({ label: label(fn), fn }));
}

/** Every queue of a service: consumer queues, their waiting queues and DLQs, the outbox failure queue, the deferred-call queues. */
export function queuesOf(parts: ServiceParts): DashboardQueue[] {
  const owner = (c: Construct) => c.node.scope!.node.id;
  return [
    ...(parts.consumers ?? []).flatMap((c) => [
      { label: `${owner(c.queue)} queue`, queue: c.queue, deadLetter: false },
      { label: `${owner(c.waiting)} waiting queue`, queue: c.waiting.queue, deadLetter: false },
      { label: `${owner(c.deadLetterQueue)} DLQ`, queue: c.deadLetterQueue, deadLetter: true },
    ]),
    ...(parts.outbox
      ? [
          { label: `${owner(parts.outbox.failureQueue)} failure queue`, queue: parts.outbox.failureQueue, deadLetter: true },
          { label: `${owner(parts.outbox.unresolvedQueue)} unresolved queue`, queue: parts.outbox.unresolvedQueue, deadLetter: true },
        ]
      : []),
    ...(parts.calls
      ? [
          { label: `${owner(parts.calls.queue)} queue`, queue: parts.calls.queue, deadLetter: false },
          { label: `${owner(parts.calls.waiting)} waiting queue`, queue: parts.calls.waiting.queue, deadLetter: false },
          { label: `${owner(parts.calls.deadLetterQueue)} DLQ`, queue: parts.calls.deadLetterQueue, deadLetter: true },
          { label: `${owner(parts.calls.schedulerFailureQueue)} scheduler failure queue`, queue: parts.calls.schedulerFailureQueue, deadLetter: true },
        ]
      : []),
  ];
}

/**
 * One CloudWatch dashboard per service (`<stack name>-<service>`): API requests, 4xx/5xx and
 * latency; invocations, errors, throttles and duration of each of its functions; the messaging
 * metrics (published, failed, consumed, duplicate, stale, parked, dead-lettered, waiting,
 * redriven, expired, missing pending-call rows); depth and
 * oldest-message age of every queue, DLQs and failure queues on their own graph.
 *
 * @example
 * ```ts
 * new ServiceDashboard(this, 'BonusDashboard', { service: 'bonus', parts: { http: bonusHttp, consumers: [fromTasks, fromHiring] } });
 * ```
 */
export class ServiceDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: ServiceDashboardProps) {
    super(scope, id);
    const period = props.period ?? DASHBOARD_DEFAULTS.period;
    const { parts, service } = props;
    const api = parts.http.api.api;
    const stage = api.deploymentStage;
    const fns = functionsOf(parts);
    const queues = queuesOf(parts);
    const graph = (title: string, left: IMetric[], right: IMetric[] = [], width = 12) =>
      new GraphWidget({ title, left, right, width, height: 6, period });

    const perFunction = (metric: (fn: IFunction) => Metric, statistic = 'Sum') =>
      fns.map(({ label, fn }) => metric(fn).with({ label, statistic, period }));
    const namespace = metricsNamespace(stageOf(this));
    const messaging = (name: string) =>
      new Metric({ namespace, metricName: name, dimensionsMap: { service }, statistic: 'Sum', period, label: name });
    const queueMetric = (q: DashboardQueue, which: 'depth' | 'age') =>
      (which === 'depth' ? q.queue.metricApproximateNumberOfMessagesVisible() : q.queue.metricApproximateAgeOfOldestMessage()).with({
        label: q.label,
        statistic: 'Maximum',
        period,
      });
    const sourceQueues = queues.filter((q) => !q.deadLetter);
    const deadLetterQueues = queues.filter((q) => q.deadLetter);

    const requests = stage.metricCount({ statistic: 'Sum', period, label: 'requests' });
    const serverErrors = stage.metricServerError({ statistic: 'Sum', period, label: '5xx' });
    const widgets: IWidget[][] = [
      [
        new TextWidget({
          markdown: `# hiring-events ${service}\nAlarms go to the alarm topic (output \`AlarmTopicArn\`); what each one means and what to do: RUNBOOK.md.`,
          width: 24,
          height: 2,
        }),
      ],
      [
        graph('API requests, 4xx, 5xx', [requests, stage.metricClientError({ statistic: 'Sum', period, label: '4xx' }), serverErrors], [
          new MathExpression({
            expression: 'IF(requests > 0, 100 * errors5xx / requests, 0)',
            usingMetrics: { requests, errors5xx: serverErrors },
            label: '5xx rate %',
            period,
          }),
        ]),
        graph('API latency (ms)', [
          stage.metricLatency({ statistic: 'p50', period, label: 'p50' }),
          stage.metricLatency({ statistic: 'p99', period, label: 'p99' }),
          stage.metricIntegrationLatency({ statistic: 'p99', period, label: 'integration p99' }),
        ]),
      ],
      [
        graph('Lambda invocations', perFunction((fn) => fn.metricInvocations())),
        graph('Lambda errors', perFunction((fn) => fn.metricErrors())),
      ],
      [
        graph('Lambda throttles', perFunction((fn) => fn.metricThrottles())),
        graph('Lambda duration p99 (ms)', perFunction((fn) => fn.metricDuration(), 'p99')),
      ],
      [
        graph(
          'Events published / consumed',
          [MetricName.EventsPublished, MetricName.EventsRepublished, MetricName.EventsConsumed].map(messaging),
          [MetricName.PublishFailed, MetricName.RepublishUnresolved].map(messaging),
        ),
        graph(
          'Events duplicate / stale / parked / dead-lettered',
          [MetricName.EventsDuplicate, MetricName.EventsStale, MetricName.EventsParked].map(messaging),
          [MetricName.EventsDeadLettered].map(messaging),
        ),
      ],
      [
        graph(
          'Waiting queues: in, redriven, expired to the DLQ',
          [MetricName.EventsWaiting, MetricName.CallsWaiting, MetricName.WaitingRedriven].map(messaging),
          [MetricName.WaitingExpired].map(messaging),
        ),
        graph('Deferred calls without a pending-call row (should be 0)', [MetricName.PendingCallMissing].map(messaging)),
      ],
      [
        graph('Queue depth (visible messages)', sourceQueues.map((q) => queueMetric(q, 'depth')), [], 8),
        graph('Oldest message age (s)', queues.map((q) => queueMetric(q, 'age')), [], 8),
        graph('DLQ and failure queue depth (should be 0)', deadLetterQueues.map((q) => queueMetric(q, 'depth')), [], 8),
      ],
    ];

    this.dashboard = new Dashboard(this, 'Dashboard', {
      // The stack name keeps two deployments of the app in one account apart.
      dashboardName: `${Stack.of(this).stackName}-${service}`,
      defaultInterval: Duration.hours(3),
      periodOverride: PeriodOverride.AUTO,
      widgets,
    });
  }
}
