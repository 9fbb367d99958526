import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import type { Construct } from 'constructs';
import { ROUTES as BONUS_ROUTES } from '../../lambdas/bonus/routes.js';
import { ROUTES as HIRING_ROUTES } from '../../lambdas/hiring/routes.js';
import { ROUTES as TASKS_ROUTES } from '../../lambdas/tasks/routes.js';
import type { HiringEventsConfig } from '../config.js';
import { DeferredCalls } from '../constructs/DeferredCalls.js';
import { BATCH_HANDLER_DELIVERY, EventConsumer } from '../constructs/EventConsumer.js';
import { MigrationStepGuard } from '../constructs/MigrationStepGuard.js';
import { OperationsAlarms } from '../constructs/OperationsAlarms.js';
import { OutboxPublisher } from '../constructs/OutboxPublisher.js';
import { repoPath } from '../constructs/paths.js';
import { ServiceDashboard } from '../constructs/ServiceDashboard.js';
import { ServiceHttpApi } from '../constructs/ServiceHttpApi.js';
import { ServiceTable } from '../constructs/ServiceTable.js';
import { consumedEvents, FINAL_STEPS, hiringRoutes, tasksLegacyRoutes, type MigrationSteps } from '../migrations/index.js';
import { wireMigrationSteps } from '../migrations/wireMigrationSteps.js';
import { acknowledgeInternalRoutes, acknowledgeTableIndexes } from '../nag.js';

export interface ServicesStackProps extends StackProps {
  readonly bus: IEventBus;
  /** Settings from CDK context (lib/config.ts). */
  readonly config: HiringEventsConfig;
  /**
   * The migration step of each link (lib/migrations).
   * @default - every migration finished (`FINAL_STEPS`)
   */
  readonly migration?: MigrationSteps;
}

/** A service's table and HTTP face, as the stack exposes them (tests and the offline runtime read them). */
export interface ServiceTableAndApi {
  readonly table: ServiceTable;
  readonly http: ServiceHttpApi;
}

/**
 * hiring, tasks and bonus in their final (post-migration) shape. One stack, because the services
 * call each other both ways (tasks -> hiring, hiring -> bonus): separate stacks would make a
 * cross-stack reference cycle. Each service still owns its own table, functions and queues.
 */
export class ServicesStack extends Stack {
  readonly hiring: ServiceTableAndApi;
  readonly tasks: ServiceTableAndApi;
  readonly bonus: ServiceTableAndApi;
  readonly operations: OperationsAlarms;
  readonly dashboards: Record<'hiring' | 'tasks' | 'bonus', ServiceDashboard>;
  readonly stepGuard: MigrationStepGuard;

  constructor(scope: Construct, id: string, props: ServicesStackProps) {
    super(scope, id, props);
    const { bus, config } = props;
    const parking = { maxAttempts: config.parkingMaxAttempts, baseDelay: Duration.seconds(config.parkingBaseDelaySeconds) };
    const deferDelay = Duration.seconds(config.deferDelaySeconds);
    const waiting = {
      firstDelay: Duration.seconds(config.waiting.firstDelaySeconds),
      maxDelay: Duration.seconds(config.waiting.maxDelaySeconds),
      horizon: Duration.seconds(config.waiting.horizonSeconds),
      redriveEvery: Duration.minutes(config.waiting.redriveEveryMinutes),
    };
    const migration = props.migration ?? FINAL_STEPS;
    const consumed = consumedEvents(migration);
    // First: every other resource of the stack waits for the guard, which refuses a step jump.
    this.stepGuard = new MigrationStepGuard(this, 'MigrationStepGuard', { steps: migration, allowJump: config.migrationAllowJump });

    // Tables and APIs first: the services reference each other's API URLs.
    const hiringTable = new ServiceTable(this, 'HiringTable');
    const tasksTable = new ServiceTable(this, 'TasksTable');
    const bonusTable = new ServiceTable(this, 'BonusTable');
    const bonusHttp = new ServiceHttpApi(this, 'BonusHttp', { service: 'bonus', table: bonusTable.table, routes: BONUS_ROUTES });
    const hiringHttp = new ServiceHttpApi(this, 'HiringHttp', {
      service: 'hiring',
      table: hiringTable.table,
      routes: hiringRoutes(HIRING_ROUTES, migration),
      environment: { BONUS_API_URL: bonusHttp.api.baseUrl },
    });
    const tasksHttp = new ServiceHttpApi(this, 'TasksHttp', {
      service: 'tasks',
      table: tasksTable.table,
      routes: [...TASKS_ROUTES, ...tasksLegacyRoutes(migration)],
      environment: { HIRING_API_URL: hiringHttp.api.baseUrl },
    });

    // tasks: publishes ManagerUpdated v1 and TaskCreated v1; pushes task changes and assignments
    // to hiring synchronously; consumes NewCandidate and TaskUpdateRequested from hiring.
    const tasksOutbox = new OutboxPublisher(this, 'TasksOutbox', { table: tasksTable.table, bus, producer: 'tasks' });
    const tasksCalls = new DeferredCalls(this, 'TasksCalls', {
      table: tasksTable.table,
      service: 'tasks',
      targets: { HIRING_API_URL: hiringHttp.api },
      delay: deferDelay,
      waiting,
    });
    hiringHttp.api.grantInvoke(tasksHttp.function, '/internal/*');
    const tasksFromHiring = new EventConsumer(this, 'TasksFromHiring', {
      bus,
      producer: 'hiring',
      service: 'tasks',
      table: tasksTable.table,
      events: consumed.tasksFromHiring,
      handlerEntry: repoPath('lambdas/tasks/events.ts'),
      parking,
      waiting,
    });

    // hiring: publishes NewCandidate, TaskSolved, TaskUpdateRequested; sends ratings to bonus
    // synchronously; consumes ManagerUpdated v1.
    const hiringOutbox = new OutboxPublisher(this, 'HiringOutbox', { table: hiringTable.table, bus, producer: 'hiring' });
    const hiringCalls = new DeferredCalls(this, 'HiringCalls', {
      table: hiringTable.table,
      service: 'hiring',
      targets: { BONUS_API_URL: bonusHttp.api },
      delay: deferDelay,
      waiting,
    });
    bonusHttp.api.grantInvoke(hiringHttp.function, '/internal/*');
    const hiringFromTasks = new EventConsumer(this, 'HiringFromTasks', {
      bus,
      producer: 'tasks',
      service: 'hiring',
      table: hiringTable.table,
      events: consumed.hiringFromTasks,
      handlerEntry: repoPath('lambdas/hiring/events.ts'),
      parking,
      waiting,
    });

    // bonus: consumes managers and tasks from tasks and solutions from hiring; publishes nothing.
    const bonusEnvironment = { BONUS_PER_RATING_POINT: String(config.perRatingPoint) };
    const bonusFromTasks = new EventConsumer(this, 'BonusFromTasks', {
      bus,
      producer: 'tasks',
      service: 'bonus',
      table: bonusTable.table,
      events: consumed.bonusFromTasks,
      handlerEntry: repoPath('lambdas/bonus/events.ts'),
      environment: bonusEnvironment,
      parking,
      waiting,
    });
    const bonusFromHiring = new EventConsumer(this, 'BonusFromHiring', {
      bus,
      producer: 'hiring',
      service: 'bonus',
      table: bonusTable.table,
      events: consumed.bonusFromHiring,
      handlerEntry: repoPath('lambdas/bonus/events.ts'),
      environment: bonusEnvironment,
      parking,
      waiting,
      // TaskSolved is credited per batch (one read, one transaction): see BATCH_HANDLER_DELIVERY.
      ...BATCH_HANDLER_DELIVERY,
    });

    // Migration steps: step variables, legacy calls and their grants (nothing at the final steps).
    wireMigrationSteps(this, migration, { hiringHttp, tasksHttp, hiringCalls, hiringFromTasks, tasksFromHiring, bonusFromTasks, bonusFromHiring });

    for (const { table } of [hiringTable, tasksTable, bonusTable]) acknowledgeTableIndexes(this, table);
    for (const http of [hiringHttp, bonusHttp]) acknowledgeInternalRoutes(this, http.api.api, http.api.stageName);

    // Operations: one dashboard per service; every alarm of the stack (the constructs' own, and any
    // added later) notifies the alarm topic. RUNBOOK.md says what each alarm means.
    this.operations = new OperationsAlarms(this, 'Operations', { alarmsOf: this });
    this.dashboards = {
      hiring: new ServiceDashboard(this, 'HiringDashboard', {
        service: 'hiring',
        parts: { http: hiringHttp, consumers: [hiringFromTasks], outbox: hiringOutbox, calls: hiringCalls },
      }),
      tasks: new ServiceDashboard(this, 'TasksDashboard', {
        service: 'tasks',
        parts: { http: tasksHttp, consumers: [tasksFromHiring], outbox: tasksOutbox, calls: tasksCalls },
      }),
      bonus: new ServiceDashboard(this, 'BonusDashboard', { service: 'bonus', parts: { http: bonusHttp, consumers: [bonusFromTasks, bonusFromHiring] } }),
    };

    this.hiring = { table: hiringTable, http: hiringHttp };
    this.tasks = { table: tasksTable, http: tasksHttp };
    this.bonus = { table: bonusTable, http: bonusHttp };
  }
}
