import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildEvent } from '../../../lambdas/shared/registry/index.js';
import { waitFor } from '../../../local/net.js';
import { balanceOf, bonusHarness, ledgerOf, managerUpdated, ratingRequest, taskSolved } from './bonusHarness.js';

describe('bonus consumer', () => {
  let bonus: Awaited<ReturnType<typeof bonusHarness>>;
  beforeAll(async () => {
    bonus = await bonusHarness(100);
  });

  async function knownManagerAndRating(rating: number) {
    const manager = randomUUID();
    const task = randomUUID();
    await bonus.deliver(managerUpdated(manager, 1, 'DE-77'));
    await bonus.call(ratingRequest(task, rating));
    return { manager, task };
  }

  it('credits rating x rate to the manager named in TaskSolved, as one ledger entry and the balance', async () => {
    const { manager, task } = await knownManagerAndRating(4);
    const event = taskSolved(task, manager);
    expect(await bonus.deliver(event)).toEqual({ batchItemFailures: [] });
    expect((await bonus.call(balanceOf(manager))).body).toEqual({ manager_uid: manager, balance: 400, entries: 1 });
    const ledger = (await bonus.call(ledgerOf(manager))).body.entries as Record<string, unknown>[];
    expect(ledger).toEqual([
      expect.objectContaining({
        amount: 400,
        rating: 4,
        per_rating_point: 100,
        task_uid: task,
        candidate_uid: event.payload.candidate_uid,
        event_id: event.event_id,
        payout_account: 'DE-77',
      }),
    ]);
  });

  it('credits a TaskSolved delivered three times (also in one batch) once', async () => {
    const { manager, task } = await knownManagerAndRating(5);
    const event = taskSolved(task, manager);
    await bonus.deliver(event, event);
    await bonus.deliver(event);
    expect((await bonus.call(balanceOf(manager))).body).toMatchObject({ balance: 500, entries: 1 });
  });

  it('credits each solution of the same task separately, newest first in the ledger', async () => {
    const { manager, task } = await knownManagerAndRating(2);
    const first = taskSolved(task, manager);
    await bonus.deliver(first);
    const second = taskSolved(task, manager);
    await bonus.deliver(second);
    expect((await bonus.call(balanceOf(manager))).body).toMatchObject({ balance: 400, entries: 2 });
    const ledger = (await bonus.call(ledgerOf(manager))).body.entries as { event_id: string }[];
    expect(ledger.map((entry) => entry.event_id)).toEqual([second.event_id, first.event_id]);
  });

  it('parks a TaskSolved whose rating is unknown and credits it once the rating arrives', async () => {
    const manager = randomUUID();
    const task = randomUUID();
    await bonus.deliver(managerUpdated(manager, 1));
    const event = taskSolved(task, manager);
    expect(await bonus.deliver(event)).toEqual({ batchItemFailures: [] });
    expect((await bonus.call(balanceOf(manager))).body).toMatchObject({ balance: 0 });

    const [parked] = await waitFor(async () => {
      const messages = await bonus.receive(bonus.queue);
      return messages.find((m) => m.Body?.includes(event.event_id)) ? messages : undefined;
    });
    expect(parked?.MessageAttributes?.['parked-attempt']?.StringValue).toBe('1');

    await bonus.call(ratingRequest(task, 3));
    await bonus.redeliver(parked!);
    expect((await bonus.call(balanceOf(manager))).body).toMatchObject({ balance: 300, entries: 1 });
  });

  it('sends a TaskSolved whose manager never arrives to the DLQ with the reason after the parking budget', async () => {
    const task = randomUUID();
    const ghost = randomUUID();
    await bonus.call(ratingRequest(task, 3));
    const event = taskSolved(task, ghost);
    // Redeliver each parked copy until the budget (2 parks) is spent.
    await bonus.deliver(event);
    for (let park = 1; park <= 2; park += 1) {
      const copy = await waitFor(async () => (await bonus.receive(bonus.queue)).find((m) => m.Body?.includes(event.event_id)));
      expect(copy.MessageAttributes?.['parked-attempt']?.StringValue).toBe(String(park));
      await bonus.redeliver(copy);
    }
    const dead = await waitFor(async () => (await bonus.receive(bonus.dlq)).find((m) => m.Body?.includes(event.event_id)));
    expect(dead.MessageAttributes?.['failure-kind']?.StringValue).toBe('prerequisite-missing');
    expect(dead.MessageAttributes?.['failure-reason']?.StringValue).toContain(`manager ${ghost}`);
  });

  it('keeps the newest manager data (last write wins) and pays to the newest payout account', async () => {
    const manager = randomUUID();
    await bonus.deliver(managerUpdated(manager, 3, 'NEW'));
    await bonus.deliver(managerUpdated(manager, 2, 'OLD'));
    const task = randomUUID();
    await bonus.call(ratingRequest(task, 1));
    await bonus.deliver(taskSolved(task, manager));
    const ledger = (await bonus.call(ledgerOf(manager))).body.entries as { payout_account: string }[];
    expect(ledger[0]?.payout_account).toBe('NEW');
  });

  it('stores TaskCreated v1 tasks and sends events it does not handle to the DLQ', async () => {
    const v0 = buildEvent('TaskCreated', '0', { task_uid: randomUUID(), task_title: '[Algorithms] Sorting', manager_uid: randomUUID() }, { producer: 'tasks' });
    expect(await bonus.deliver(v0)).toEqual({ batchItemFailures: [] });
    const dead = await waitFor(async () => (await bonus.receive(bonus.dlq)).find((m) => m.Body?.includes(v0.event_id)));
    expect(dead.MessageAttributes?.['failure-kind']?.StringValue).toBe('poison');
    expect(dead.MessageAttributes?.['failure-reason']?.StringValue).toContain('TaskCreated v0');
  });
});
