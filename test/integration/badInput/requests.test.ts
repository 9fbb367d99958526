import { beforeAll, describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
});

import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createBonusApi } from '../../../lambdas/bonus/createBonusApi.js';
import { createHiringApi } from '../../../lambdas/hiring/createHiringApi.js';
import type { ServiceName } from '../../../lambdas/shared/registry/index.js';
import { createTasksApi } from '../../../lambdas/tasks/createTasksApi.js';
import { localClients, uniqueName } from '../../support/aws.js';
import { apiEvent, parseAnswer } from '../support/apiEvent.js';
import { createServiceTable } from '../support/serviceTable.js';
import { requestCases, requestOf } from './corpus.js';

/**
 * The bad-request corpus (`test/fixtures/bad-input/requests.json`) against the real API handlers of
 * the three services on DynamoDB Local: every case is answered with the 4xx it lists, in the
 * shared error shape naming the problem (and the field, when there is one); none is a 5xx and
 * none changes a table.
 */
const cases = requestCases();
const { dynamodb, doc } = localClients();
const tables = { tasks: uniqueName('bad-tasks'), hiring: uniqueName('bad-hiring'), bonus: uniqueName('bad-bonus') } satisfies Record<ServiceName, string>;
let apis: Record<ServiceName, ReturnType<typeof createBonusApi>>;

beforeAll(async () => {
  await Promise.all(Object.values(tables).map((name) => createServiceTable(dynamodb, name)));
  // No URL of another service: a bad request must be rejected before any call is attempted.
  apis = {
    tasks: createTasksApi({ doc, tableName: tables.tasks }),
    hiring: createHiringApi({ doc, tableName: tables.hiring }),
    bonus: createBonusApi({ doc, tableName: tables.bonus }),
  };
});

describe('bad requests: 4xx naming the problem, never 5xx', () => {
  it('the corpus is large and covers every service', () => {
    expect(cases.length).toBeGreaterThanOrEqual(50);
    expect(new Set(cases.map((c) => c.service))).toEqual(new Set(['tasks', 'hiring', 'bonus']));
    expect(cases.some((c) => c.hugeBody && c.hugeBody.bytes > 64 * 1024)).toBe(true);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    expect(c.expect.status, 'the corpus expects a 4xx').toBeGreaterThanOrEqual(400);
    expect(c.expect.status).toBeLessThan(500);
    const answer = parseAnswer<{ error?: { code?: string; message?: string; field?: string } }>(await apis[c.service](apiEvent(requestOf(c))));
    expect(answer.status, JSON.stringify(answer.body)).toBe(c.expect.status);
    expect(answer.headers['content-type']).toBe('application/json');
    expect(answer.body.error?.code).toBe(c.expect.code);
    expect(answer.body.error?.message, 'a message saying what is wrong').toEqual(expect.any(String));
    expect(answer.body.error!.message!.length).toBeGreaterThan(5);
    if (c.expect.field === null) expect(answer.body.error?.field).toBeUndefined();
    else if (c.expect.field !== undefined) expect(answer.body.error?.field).toBe(c.expect.field);
    if (c.expect.message) expect(answer.body.error?.message).toContain(c.expect.message);
    // The message names the field it is about (the last segment, e.g. `rating` of `body.rating`).
    if (c.expect.field && c.expect.code === 'validation_error' && c.expect.field !== 'body') {
      expect(answer.body.error?.message).toContain(c.expect.field.split('.').at(-1));
    }
  });

  it('left every table without a business row (only nothing, or idempotency bookkeeping)', async () => {
    for (const [service, tableName] of Object.entries(tables)) {
      const { Items = [] } = await doc.send(new ScanCommand({ TableName: tableName, ConsistentRead: true }));
      expect(Items.filter((item) => item.sk !== 'IDEMPOTENCY'), `rows in ${service}`).toEqual([]);
    }
  });
});
