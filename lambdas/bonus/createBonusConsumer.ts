import { GetCommand } from '@aws-sdk/lib-dynamodb';
import {
  createConsumer,
  lastWriteWinsPut,
  PrerequisiteMissingError,
  type ConsumerContext,
  type ConsumerOverrides,
} from '../shared/messaging/index.js';
import type { EventOf } from '../shared/registry/index.js';
import { ledgerEntryFor } from './domain/ledgerEntryFor.js';
import { bonusKeys, type ManagerItem, type RatingItem } from './keys.js';
import { bonusHandlersAt, type BonusMigrationDeps } from './migrations/bonusHandlersAt.js';
import { stepsFromEnv, type MigrationSteps } from '../shared/migrations/steps.js';

export interface BonusConsumerDeps extends ConsumerOverrides {
  /** Minor units per rating point (CDK context `bonus.perRatingPoint`). */
  perRatingPoint: number;
  now?: () => Date;
  /** Migration steps. @default env `MIGRATION_*_STEP`, else the final steps */
  steps?: MigrationSteps;
  /** tasks' API for get_manager (manager-stream < 4). @default env `TASKS_API_URL` */
  tasksApiUrl?: string;
  getManager?: BonusMigrationDeps['getManager'];
}

async function getItem<T>(ctx: ConsumerContext, key: { pk: string; sk: string }): Promise<T | undefined> {
  const { Item } = await ctx.doc.send(new GetCommand({ TableName: ctx.tableName, Key: key, ConsistentRead: true }));
  return Item as T | undefined;
}

/**
 * The bonus service's event consumer: managers and tasks from the tasks service, solved tasks
 * from hiring. A `TaskSolved` credits the manager named in the event once (the runtime writes the
 * processed marker in the same transaction as the ledger entry and the balance); when bonus does
 * not know that manager or the task's rating yet, the event is parked and retried later.
 */
export function createBonusConsumer(deps: BonusConsumerDeps) {
  const now = deps.now ?? (() => new Date());
  return createConsumer({
    consumer: 'bonus',
    clients: deps.clients,
    tableName: deps.tableName,
    queueUrl: deps.queueUrl,
    deadLetterQueueUrl: deps.deadLetterQueueUrl,
    parking: deps.parking,
    handlers: bonusHandlersAt({
      TaskSolved: {
        '0': async (event: EventOf<'TaskSolved', '0'>, ctx) => {
          const { task_uid, task_manager_uid } = event.payload;
          const [manager, rating] = await Promise.all([
            getItem<ManagerItem>(ctx, bonusKeys.manager(task_manager_uid)),
            getItem<RatingItem>(ctx, bonusKeys.rating(task_uid)),
          ]);
          const missing = [!manager && `manager ${task_manager_uid}`, !rating && `rating of task ${task_uid}`].filter(Boolean);
          if (!manager || !rating) throw new PrerequisiteMissingError(`bonus does not know the ${missing.join(' or the ')} yet`);
          const entry = ledgerEntryFor(event, manager, rating, deps.perRatingPoint, now());
          return [
            {
              Put: {
                TableName: ctx.tableName,
                Item: { ...bonusKeys.ledgerEntry(task_manager_uid, entry.solved_at, event.event_id), item_type: 'ledger', ...entry },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Update: {
                TableName: ctx.tableName,
                Key: bonusKeys.balance(task_manager_uid),
                UpdateExpression: 'ADD balance :amount, entries :one SET manager_uid = :manager, updated_at = :now',
                ExpressionAttributeValues: { ':amount': entry.amount, ':one': 1, ':manager': task_manager_uid, ':now': entry.credited_at },
              },
            },
          ];
        },
      },
      ManagerUpdated: {
        '1': async (event: EventOf<'ManagerUpdated', '1'>, ctx) => {
          const { manager_uid, login, payout_account, version } = event.payload;
          const item: ManagerItem = { ...bonusKeys.manager(manager_uid), manager_uid, login, payout_account, version };
          return [lastWriteWinsPut({ tableName: ctx.tableName, item: { ...item } })];
        },
      },
      TaskCreated: {
        '1': async (event: EventOf<'TaskCreated', '1'>, ctx) => {
          const { task_uid, knowledge_area, title, manager_uid } = event.payload;
          return [
            {
              Put: {
                TableName: ctx.tableName,
                Item: { ...bonusKeys.task(task_uid), task_uid, knowledge_area, title, manager_uid, created_at: event.produced_at },
              },
            },
          ];
        },
      },
    }, {
      steps: deps.steps ?? stepsFromEnv(),
      tasksApiUrl: deps.tasksApiUrl ?? process.env.TASKS_API_URL,
      getManager: deps.getManager,
    }),
  });
}
