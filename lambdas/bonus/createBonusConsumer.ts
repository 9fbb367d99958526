import { createConsumer, type ConsumerOverrides } from '../shared/messaging/index.js';
import { managerUpdatedV1 } from './consumers/managerUpdated.js';
import { taskCreatedV1 } from './consumers/taskCreated.js';
import { taskSolvedHandler } from './consumers/taskSolved.js';
import { bonusHandlersAt, type BonusMigrationDeps } from './migrations/consumerHandlers.js';
import { optionalStringFromEnv } from '../shared/env.js';
import { stepsFromEnv, type MigrationSteps } from '../shared/migrations/steps.js';

export interface BonusConsumerDeps extends ConsumerOverrides {
  /** Minor units per rating point (CDK context `bonus.perRatingPoint`). */
  perRatingPoint: number;
  /** Migration steps. @default env `MIGRATION_*_STEP`, else the final steps */
  steps?: MigrationSteps;
  /** tasks' API for get_manager (manager-stream < 4). @default env `TASKS_API_URL` */
  tasksApiUrl?: string;
  getManager?: BonusMigrationDeps['getManager'];
}

/**
 * The bonus service's event consumer: managers and tasks from the tasks service, solved tasks
 * from hiring. `TaskSolved` is a batch handler: per SQS batch one read of the managers, rating
 * histories and processed markers, one transaction with every marker, every ledger entry and one
 * balance update per manager; each solution earns the rating in force when it was solved. When
 * bonus does not know the manager or that rating yet, the event is parked and retried later.
 * Managers (last write wins) and tasks are per-record handlers.
 */
export function createBonusConsumer(deps: BonusConsumerDeps) {
  return createConsumer({
    consumer: 'bonus',
    clients: deps.clients,
    tableName: deps.tableName,
    queueUrl: deps.queueUrl,
    deadLetterQueueUrl: deps.deadLetterQueueUrl,
    parking: deps.parking,
    retry: deps.retry,
    now: deps.now,
    handlers: bonusHandlersAt(
      {
        TaskSolved: { '0': taskSolvedHandler(deps.perRatingPoint) },
        ManagerUpdated: { '1': managerUpdatedV1 },
        TaskCreated: { '1': taskCreatedV1 },
      },
      {
        steps: deps.steps ?? stepsFromEnv(),
        tasksApiUrl: deps.tasksApiUrl ?? optionalStringFromEnv('TASKS_API_URL'),
        getManager: deps.getManager,
      },
    ),
  });
}
