import { TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { createHiringApi } from '../../../lambdas/hiring/createHiringApi.js';
import { createHiringConsumer } from '../../../lambdas/hiring/createHiringConsumer.js';
import { deliverCall, pendingCallKey, type PendingCallRecord } from '../../../lambdas/shared/calls/index.js';
import {
  apiEvent,
  getItem,
  managerUpdatedV1,
  outboxEvents,
  parseResult,
  sqsRecord,
  uid,
} from '../../fixtures/hiring/factories.js';
import { useHiringWithBonusStub } from '../../fixtures/hiring/harness.js';

const { h, bonus } = useHiringWithBonusStub({ callRetry: { maxAttempts: 1 }, callTimeoutMs: 2000 });

describe('hiring end to end on DynamoDB Local', () => {
  it('a rating made while bonus is down is delivered later from its pending row, never lost', async () => {
    const { task_uid } = await h.putTask();
    bonus.down = true;
    const answer = await h.call('PUT', `/tasks/${task_uid}/rating`, { body: { rating: 3 } });
    expect(answer.status).toBe(200);
    const key = pendingCallKey(`rating-${task_uid}-v1`);
    const row = (await getItem(h.doc, h.tableName, key)) as PendingCallRecord | undefined;
    expect(row?.status).toBe('pending');

    // Bonus is back; the deferred delivery (what the calls kit's deliverer runs) sends the same call.
    bonus.down = false;
    await deliverCall(row!, { doc: h.doc, tableName: h.tableName, baseUrls: { bonus: bonus.url }, retry: { maxAttempts: 1 } });
    expect(await getItem(h.doc, h.tableName, key)).toMatchObject({ status: 'delivered' });
    const sent = bonus.requests.filter((r) => r.url === `/v1/internal/tasks/${task_uid}/rating`);
    expect(sent.at(-1)).toMatchObject({ method: 'PUT', body: { task_uid, rating: 3, version: 1 } });
    expect(sent.at(-1)?.headers['idempotency-key']).toBe(`rating-${task_uid}-v1`);
  });

  it('a manager change landing between the read and the write of a solution is named in TaskSolved', async () => {
    const { candidate_uid, task_uid, task } = await h.assignedTask();
    const newManager = uid();
    let raced = false;
    // The first solution transaction is preceded by update_task (another request on the same table).
    const racingDoc = new Proxy(h.doc, {
      get(target, prop, receiver) {
        if (prop !== 'send') return Reflect.get(target, prop, receiver);
        return async (command: unknown) => {
          if (!raced && command instanceof TransactWriteCommand && command.input.TransactItems?.some((i) => i.ConditionCheck)) {
            raced = true;
            const update = await h.call('PUT', `/internal/tasks/${task_uid}`, { body: { ...withoutApplied(task), manager_uid: newManager, version: 2 } });
            expect(update.body).toEqual({ applied: true });
          }
          return target.send(command as TransactWriteCommand);
        };
      },
    }) as DynamoDBDocumentClient;
    const api = createHiringApi({ doc: racingDoc, tableName: h.tableName });
    const answer = parseResult(await api(apiEvent('POST', `/tasks/${task_uid}/solutions`, { body: { candidate_uid } })));
    expect(raced).toBe(true);
    expect(answer.status).toBe(201);
    expect(answer.body.task_manager_uid).toBe(newManager);
    const events = (await outboxEvents(h.doc, h.tableName, 'TaskSolved')).filter((e) => e.payload.task_uid === task_uid);
    expect(events).toHaveLength(1);
    expect(events[0]?.payload.task_manager_uid).toBe(newManager);
  });

  it('GET candidate shows the manager login once ManagerUpdated v1 is consumed', async () => {
    const { candidate_uid, manager_uid } = await h.assignedTask();
    const consumer = createHiringConsumer({ clients: { doc: h.doc, sqs: h.sqs }, tableName: h.tableName, queueUrl: 'unused', deadLetterQueueUrl: 'unused' });
    const before = await h.call<{ tasks: { manager: unknown }[] }>('GET', `/candidates/${candidate_uid}`);
    expect(before.body.tasks[0]?.manager).toEqual({ manager_uid, display_name: null });
    const result = await consumer({ Records: [sqsRecord(managerUpdatedV1({ manager_uid, login: 'ada.lovelace', version: 1 }))] });
    expect(result.batchItemFailures).toEqual([]);
    const after = await h.call<{ tasks: { manager: unknown }[] }>('GET', `/candidates/${candidate_uid}`);
    expect(after.body.tasks[0]?.manager).toEqual({ manager_uid, display_name: 'ada.lovelace' });
  });
});

function withoutApplied<T extends { applied?: boolean }>(task: T): Omit<T, 'applied'> {
  const { applied: _applied, ...rest } = task;
  void _applied;
  return rest;
}
