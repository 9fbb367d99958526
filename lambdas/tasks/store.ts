import { GetCommand, QueryCommand, type DynamoDBDocumentClient, type NativeAttributeValue } from '@aws-sdk/lib-dynamodb';
import { cancellationReasons } from '../shared/messaging/index.js';
import type { TransactWriteItem } from '../shared/messaging/index.js';
import {
  ASSIGNMENT_SK_PREFIX,
  assignmentKey,
  candidateKey,
  managerKey,
  TASK_SK,
  taskKey,
  taskPk,
  UPDATE_REQUEST_SK_PREFIX,
  updateRequestKey,
  type ItemKey,
} from './keys.js';
import type { Assignment, Candidate, Manager, Task, UpdateRequest } from './keys.js';

/** The item types stored by the tasks service (the kits add `outbox`, `call`, `processed`, idempotency rows). */
export type TasksItemType = 'manager' | 'task' | 'candidate' | 'assignment' | 'update_request';

type Stored<T> = T & ItemKey & { item_type: TasksItemType };

const KEY_ATTRIBUTES = new Set(['pk', 'sk', 'item_type']);

/** The entity without its table keys. */
function entity<T>(item: Record<string, NativeAttributeValue> | undefined): T | undefined {
  if (!item) return undefined;
  return Object.fromEntries(Object.entries(item).filter(([name]) => !KEY_ATTRIBUTES.has(name))) as T;
}

/** The stored form of an entity: its key, its type, its attributes. */
export function managerItem(manager: Manager): Stored<Manager> {
  return { ...managerKey(manager.manager_uid), item_type: 'manager', ...manager };
}
export function taskItem(task: Task): Stored<Task> {
  return { ...taskKey(task.task_uid), item_type: 'task', ...task };
}
export function candidateItem(candidate: Candidate): Stored<Candidate> {
  return { ...candidateKey(candidate.candidate_uid), item_type: 'candidate', ...candidate };
}
export function assignmentItem(assignment: Assignment): Stored<Assignment> {
  return { ...assignmentKey(assignment.task_uid, assignment.candidate_uid), item_type: 'assignment', ...assignment };
}
export function updateRequestItem(request: UpdateRequest): Stored<UpdateRequest> {
  return { ...updateRequestKey(request.task_uid, request.request_id), item_type: 'update_request', ...request };
}

/**
 * A `Put` that creates the item only when its key is free.
 *
 * @example
 * ```ts
 * const put = putNew(TableName, taskItem(task));
 * ```
 */
export function putNew(tableName: string, item: Record<string, NativeAttributeValue>): TransactWriteItem {
  return { Put: { TableName: tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } };
}

/** A `Put` that replaces the item only when it still has version `expectedVersion` (optimistic locking). */
export function putIfVersion(tableName: string, item: Record<string, NativeAttributeValue>, expectedVersion: number): TransactWriteItem {
  return {
    Put: {
      TableName: tableName,
      Item: item,
      ConditionExpression: '#version = :expected',
      ExpressionAttributeNames: { '#version': 'version' },
      ExpressionAttributeValues: { ':expected': expectedVersion },
    },
  };
}

/** A `ConditionCheck` that the item exists. */
export function checkExists(tableName: string, key: ItemKey): TransactWriteItem {
  return { ConditionCheck: { TableName: tableName, Key: key, ConditionExpression: 'attribute_exists(pk)' } };
}

/** Index of the first transaction item whose condition failed, when `error` is such a cancellation. */
export function failedConditionIndex(error: unknown): number | undefined {
  const reasons = cancellationReasons(error);
  if (!reasons) return undefined;
  const index = reasons.findIndex((reason) => reason.Code === 'ConditionalCheckFailed');
  return index === -1 ? undefined : index;
}

/** Reads of the tasks table (strongly consistent: they decide what is written next). */
export class TasksStore {
  constructor(
    readonly doc: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {}

  async getManager(managerUid: string): Promise<Manager | undefined> {
    return this.get<Manager>(managerKey(managerUid));
  }

  async getTask(taskUid: string): Promise<Task | undefined> {
    return this.get<Task>(taskKey(taskUid));
  }

  async getCandidate(candidateUid: string): Promise<Candidate | undefined> {
    return this.get<Candidate>(candidateKey(candidateUid));
  }

  async getAssignment(taskUid: string, candidateUid: string): Promise<Assignment | undefined> {
    return this.get<Assignment>(assignmentKey(taskUid, candidateUid));
  }

  async getUpdateRequest(taskUid: string, requestId: string): Promise<UpdateRequest | undefined> {
    return this.get<UpdateRequest>(updateRequestKey(taskUid, requestId));
  }

  /** The task with its assignments and update requests: one Query over its partition. */
  async getTaskAggregate(
    taskUid: string,
  ): Promise<{ task: Task; assignments: Assignment[]; updateRequests: UpdateRequest[] } | undefined> {
    let task: Task | undefined;
    const assignments: Assignment[] = [];
    const updateRequests: UpdateRequest[] = [];
    let startKey: Record<string, NativeAttributeValue> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': taskPk(taskUid) },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        const sk = String(item.sk);
        if (sk === TASK_SK) task = entity<Task>(item);
        else if (sk.startsWith(ASSIGNMENT_SK_PREFIX)) assignments.push(entity<Assignment>(item)!);
        else if (sk.startsWith(UPDATE_REQUEST_SK_PREFIX)) updateRequests.push(entity<UpdateRequest>(item)!);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return task ? { task, assignments, updateRequests } : undefined;
  }

  private async get<T>(key: ItemKey): Promise<T | undefined> {
    const { Item } = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
    return entity<T>(Item);
  }
}
