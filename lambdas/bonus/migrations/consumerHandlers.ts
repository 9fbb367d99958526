import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { callService, ServiceCallRejectedError, type RetryOptions } from '../../shared/http/index.js';
import {
  beforeHandling,
  lastWriteWinsPut,
  PrerequisiteMissingError,
  type ConsumerContext,
  type ConsumerHandlers,
  type EventHandler,
} from '../../shared/messaging/index.js';
import type { EventOf } from '../../shared/registry/index.js';
import { linkBehaviour, managerUpdatedVersions, taskCreatedVersions } from '../../shared/migrations/plan.js';
import type { MigrationSteps } from '../../shared/migrations/steps.js';
import { splitTaskTitle } from '../../shared/migrations/taskTitle.js';
import { bonusKeys, type ManagerItem } from '../keys.js';

/** A manager as tasks' get_manager answers it. */
export interface ManagerAnswer {
  manager_uid: string;
  name?: string;
  surname?: string;
  login?: string;
  payout_account: string;
  version: number;
}

export interface BonusMigrationDeps {
  steps: MigrationSteps;
  /** tasks' API base URL (env `TASKS_API_URL`), for get_manager (manager-stream steps 0..3). */
  tasksApiUrl?: string;
  /** Replaces the SigV4 get_manager call (tests). `undefined` = 404. */
  getManager?: (managerUid: string) => Promise<ManagerAnswer | undefined>;
  callRetry?: RetryOptions;
}

/** get_manager over SigV4: the manager, `undefined` on 404; throws (transient: SQS retries) when tasks is down. */
export function httpGetManager(tasksApiUrl: string | undefined, retry?: RetryOptions) {
  return async (managerUid: string): Promise<ManagerAnswer | undefined> => {
    if (!tasksApiUrl) throw new Error('get_manager needs TASKS_API_URL (manager-stream < 4)');
    try {
      const response = await callService<ManagerAnswer>({ baseUrl: tasksApiUrl, method: 'GET', path: `/internal/managers/${managerUid}`, retry });
      return response.body;
    } catch (error) {
      if (error instanceof ServiceCallRejectedError && error.status === 404) return undefined;
      throw error;
    }
  };
}

/**
 * The bonus consumer's handlers at `steps`, from its final handlers:
 *
 * - manager-stream < 4: before crediting a `TaskSolved`, bonus asks tasks' get_manager and stores
 *   the answer. While the ManagerUpdated consumer also runs (steps 2..3) the HTTP answer
 *   overwrites event data of the same or an older version (it is read fresh from the owner), never
 *   a newer one. A manager tasks does not know parks the event.
 * - ManagerUpdated: no subscription before manager-stream 2; v0 (name/surname) until
 *   manager-login 8, v1 from 4.
 * - TaskCreated: v0 until task-created-v1 9 (`task_title` kept whole before step 3 with an empty
 *   knowledge_area column from step 1, split from step 3); v1 from 6.
 */
export function bonusHandlersAt(final: ConsumerHandlers, deps: BonusMigrationDeps): ConsumerHandlers {
  const { steps } = deps;
  const behaviour = linkBehaviour(steps);
  const handlers: ConsumerHandlers = { ...final };

  if (behaviour.bonusCallsGetManager && final.TaskSolved?.['0']) {
    const getManager = deps.getManager ?? httpGetManager(deps.tasksApiUrl, deps.callRetry);
    // Runs before the credit reads the manager (a batch handler's prepare step, before the batch read).
    const storeManagerFromTasks = async (event: EventOf<'TaskSolved', '0'>, ctx: ConsumerContext): Promise<void> => {
      const answer = await getManager(event.payload.task_manager_uid);
      if (!answer) throw new PrerequisiteMissingError(`tasks does not know manager ${event.payload.task_manager_uid}`);
      const item: ManagerItem = {
        ...bonusKeys.manager(answer.manager_uid),
        manager_uid: answer.manager_uid,
        ...(answer.name !== undefined ? { name: answer.name } : {}),
        ...(answer.surname !== undefined ? { surname: answer.surname } : {}),
        ...(answer.login !== undefined ? { login: answer.login } : {}),
        payout_account: answer.payout_account,
        version: answer.version,
      };
      try {
        await ctx.doc.send(
          new PutCommand({
            TableName: ctx.tableName,
            Item: item,
            ConditionExpression: 'attribute_not_exists(version) OR version <= :version',
            ExpressionAttributeValues: { ':version': answer.version },
          }),
        );
      } catch (error) {
        if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
        ctx.logger.info('get_manager answer older than the stored manager: kept the stored one', { manager_uid: answer.manager_uid });
      }
    };
    handlers.TaskSolved = { '0': beforeHandling(final.TaskSolved['0'], storeManagerFromTasks) };
  }

  if (!behaviour.bonusConsumesManagerUpdated) delete handlers.ManagerUpdated;
  else {
    const versions = managerUpdatedVersions(steps);
    handlers.ManagerUpdated = {
      ...(versions.includes('0') ? { '0': managerUpdatedV0 } : {}),
      ...(versions.includes('1') && final.ManagerUpdated?.['1'] ? { '1': final.ManagerUpdated['1'] } : {}),
    };
  }

  const created = taskCreatedVersions(steps);
  handlers.TaskCreated = {
    ...(created.includes('0') ? { '0': taskCreatedV0(steps) } : {}),
    ...(created.includes('1') && final.TaskCreated?.['1'] ? { '1': final.TaskCreated['1'] } : {}),
  };
  return handlers;
}

/** `ManagerUpdated` v0: last-write-wins copy (name, surname, payout account). */
export const managerUpdatedV0: EventHandler<'ManagerUpdated', '0'> = async (event, ctx) => {
  const { manager_uid, name, surname, payout_account, version } = event.payload;
  const item: ManagerItem = { ...bonusKeys.manager(manager_uid), manager_uid, name, surname, payout_account, version };
  return [lastWriteWinsPut({ tableName: ctx.tableName, item: { ...item } })];
};

/** `TaskCreated` v0 at `steps`: the title kept whole (before step 3) or split into its parts. */
export function taskCreatedV0(steps: MigrationSteps): EventHandler<'TaskCreated', '0'> {
  const behaviour = linkBehaviour(steps);
  return async (event, ctx) => {
    const { task_uid, task_title, manager_uid } = event.payload;
    const parts = behaviour.bonusSplitsTaskTitle
      ? splitTaskTitle(task_title)
      : { title: task_title, ...(behaviour.knowledgeAreaColumn ? { knowledge_area: '' } : {}) };
    return [{ Put: { TableName: ctx.tableName, Item: { ...bonusKeys.task(task_uid), task_uid, ...parts, manager_uid, created_at: event.produced_at } } }];
  };
}
