import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { lastWriteWinsPut, PrerequisiteMissingError, type ConsumerHandlers, type Effect, type EventHandler } from '../../shared/messaging/index.js';
import { linkBehaviour, managerUpdatedVersions } from '../../shared/migrations/plan.js';
import type { MigrationSteps } from '../../shared/migrations/steps.js';
import type { TaskItem } from '../keys.js';
import { managerCopyUpdate } from '../consumers/managerUpdated.js';
import { assignmentIdKey, assignmentKey, candidateKey, taskKey } from '../keys.js';

/**
 * `ManagerUpdated` v0 (before the login migration finishes): last-write-wins copy of the manager's
 * name and surname. From manager-login step 1 the copy also gets its `login` column, empty until a
 * v1 event or the copy-manager-logins backfill fills it (an existing login is never overwritten).
 */
export function managerUpdatedV0At(steps: MigrationSteps): EventHandler<'ManagerUpdated', '0'> {
  const loginColumn = linkBehaviour(steps).hiringManagerLoginColumn;
  return async (event, ctx): Promise<Effect> => {
    const { manager_uid, name, surname, version } = event.payload;
    return [managerCopyUpdate(ctx.tableName, manager_uid, version, event.produced_at, { name, surname }, loginColumn ? { login: '' } : {})];
  };
}

/**
 * `TaskUpdated` v0 (task-updated steps 0..3): the same last-write-wins copy of the task as the
 * update_task route writes, so an update that arrives both ways (event and call, steps 2..3) is
 * applied once and the newest version wins whatever the order.
 */
export const taskUpdatedV0: EventHandler<'TaskUpdated', '0'> = async (event, ctx): Promise<Effect> => {
  const p = event.payload;
  const item: TaskItem = {
    ...taskKey(p.task_uid),
    item_type: 'task',
    task_uid: p.task_uid,
    title: p.title,
    knowledge_area: p.knowledge_area,
    manager_uid: p.manager_uid,
    ...(p.description !== undefined ? { description: p.description } : {}),
    version: p.version,
    updated_at: event.produced_at,
  };
  return [lastWriteWinsPut({ tableName: ctx.tableName, item: { ...item } })];
};

/**
 * `TaskAssigned` v0 (task-assigned steps 0..3): records the assignment as assign_task does, keyed by
 * `assignment_id` (the idempotency key): one that already came through the call is a no-op. Both
 * writes are Updates conditioned on "absent or the same assignment id", so the call and the event
 * racing each other both succeed with the same data (and an existing `solved_at` is kept).
 */
export const taskAssignedV0: EventHandler<'TaskAssigned', '0'> = async (event, ctx): Promise<Effect> => {
  const { assignment_id, task_uid, candidate_uid, assigned_at } = event.payload;
  const { Item: marker } = await ctx.doc.send(new GetCommand({ TableName: ctx.tableName, Key: assignmentIdKey(assignment_id), ConsistentRead: true }));
  if (marker) {
    ctx.logger.info('assignment already applied (came through assign_task)', { assignment_id });
    return [];
  }
  const { Item: candidate } = await ctx.doc.send(new GetCommand({ TableName: ctx.tableName, Key: candidateKey(candidate_uid), ConsistentRead: true }));
  if (!candidate) throw new PrerequisiteMissingError(`candidate ${candidate_uid} unknown to hiring`);
  const values = { ':id': assignment_id, ':task': task_uid, ':candidate': candidate_uid, ':at': assigned_at };
  const sameOrAbsent = 'attribute_not_exists(pk) OR assignment_id = :id';
  return [
    {
      Update: {
        TableName: ctx.tableName,
        Key: assignmentIdKey(assignment_id),
        UpdateExpression: 'SET item_type = :type, assignment_id = :id, task_uid = :task, candidate_uid = :candidate, assigned_at = :at',
        ConditionExpression: sameOrAbsent,
        ExpressionAttributeValues: { ...values, ':type': 'assignment_id' },
      },
    },
    {
      Update: {
        TableName: ctx.tableName,
        Key: assignmentKey(candidate_uid, task_uid),
        UpdateExpression: 'SET item_type = :type, assignment_id = :id, task_uid = :task, candidate_uid = :candidate, assigned_at = :at',
        ConditionExpression: sameOrAbsent,
        ExpressionAttributeValues: { ...values, ':type': 'assignment' },
      },
    },
  ];
};

/**
 * The hiring consumer's handlers at `steps`, from its final handlers (`consumers/`): exactly the
 * versions its rules route to it (`consumedEvents` in the shared plan).
 *
 * @example
 * ```ts
 * createConsumer({ consumer: 'hiring', handlers: hiringHandlersAt({ ManagerUpdated: { '1': managerUpdatedV1 } }, { steps }) });
 * ```
 */
export function hiringHandlersAt(final: ConsumerHandlers, { steps }: { steps: MigrationSteps }): ConsumerHandlers {
  const manager = managerUpdatedVersions(steps);
  const handlers: ConsumerHandlers = {
    ...final,
    ManagerUpdated: {
      ...(manager.includes('0') ? { '0': managerUpdatedV0At(steps) } : {}),
      ...(manager.includes('1') && final.ManagerUpdated?.['1'] ? { '1': final.ManagerUpdated['1'] } : {}),
    },
  };
  const link = linkBehaviour(steps);
  if (link.hiringConsumesTaskUpdated) handlers.TaskUpdated = { '0': taskUpdatedV0 };
  if (link.hiringConsumesTaskAssigned) handlers.TaskAssigned = { '0': taskAssignedV0 };
  return handlers;
}
