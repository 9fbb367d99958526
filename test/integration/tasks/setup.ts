import { randomUUID } from 'node:crypto';
import { afterEach, beforeAll } from 'vitest';
import { localClients, uniqueName } from '../../support/aws.js';
import { createTasksApi } from '../../../lambdas/tasks/createTasksApi.js';
import type { TasksApiDeps } from '../../../lambdas/tasks/types.js';
import { apiEvent, createTasksTable, fakeHiring, parse, stubSigningEnv, tableReader, type ApiRequest } from '../../fixtures/tasks/factories.js';

/** A tasks API over a fresh DynamoDB Local table, with hiring faked behind `fetch`. */
export async function tasksApiHarness(overrides: Partial<TasksApiDeps> = {}) {
  stubSigningEnv();
  const { dynamodb, doc } = localClients();
  const tableName = uniqueName('tasks');
  await createTasksTable(dynamodb, tableName);
  const hiring = fakeHiring();
  const handler = createTasksApi({
    doc,
    tableName,
    hiringApiUrl: hiring.baseUrl,
    callRetry: { maxAttempts: 1 },
    callTimeoutMs: 1000,
    ...overrides,
  });
  const call = async (request: ApiRequest) => parse(await handler(apiEvent(request)));
  const table = tableReader(doc, tableName);

  const api = {
    createManager: (body: unknown = managerBody(), headers?: Record<string, string>) =>
      call({ method: 'POST', resource: '/managers', body, headers }),
    getManager: (manager_uid: string) => call({ method: 'GET', resource: '/managers/{manager_uid}', pathParameters: { manager_uid } }),
    updateManager: (manager_uid: string, body: unknown) =>
      call({ method: 'PUT', resource: '/managers/{manager_uid}', pathParameters: { manager_uid }, body }),
    createTask: (body: unknown, headers?: Record<string, string>) => call({ method: 'POST', resource: '/tasks', body, headers }),
    getTask: (task_uid: string) => call({ method: 'GET', resource: '/tasks/{task_uid}', pathParameters: { task_uid } }),
    updateTask: (task_uid: string, body: unknown) => call({ method: 'PUT', resource: '/tasks/{task_uid}', pathParameters: { task_uid }, body }),
    assign: (task_uid: string, body: unknown, headers?: Record<string, string>) =>
      call({ method: 'POST', resource: '/tasks/{task_uid}/assignments', pathParameters: { task_uid }, body, headers }),
  };

  /** Creates a manager and returns its uid. */
  const givenManager = async (): Promise<string> => {
    const response = await api.createManager();
    if (response.status !== 201) throw new Error(`manager not created: ${JSON.stringify(response.body)}`);
    return response.body.manager_uid as string;
  };
  /** Creates a task (with its manager) and returns its uid. */
  const givenTask = async (body: Record<string, unknown> = {}): Promise<string> => {
    const manager_uid = (body.manager_uid as string | undefined) ?? (await givenManager());
    const response = await api.createTask({ title: 'FizzBuzz', knowledge_area: 'Go', manager_uid, ...body });
    if (response.status !== 201) throw new Error(`task not created: ${JSON.stringify(response.body)}`);
    return response.body.task_uid as string;
  };

  return { dynamodb, doc, tableName, handler, call, api, table, hiring, givenManager, givenTask };
}

export type TasksApiHarness = Awaited<ReturnType<typeof tasksApiHarness>>;

/**
 * Registers a test file's harness: built once before its tests and filled into the returned object,
 * so tests use it as a plain value. Hiring comes back up after each test, as some take it down.
 */
export function useTasksApiHarness(): TasksApiHarness {
  const harness = {} as TasksApiHarness;
  beforeAll(async () => {
    Object.assign(harness, await tasksApiHarness());
  });
  afterEach(() => {
    harness.hiring.state.up = true;
  });
  return harness;
}

export function managerBody(overrides: Record<string, unknown> = {}) {
  return { name: 'Ada', surname: 'Lovelace', login: `ada-${randomUUID().slice(0, 6)}`, payout_account: 'DE89370400440532013000', ...overrides };
}
