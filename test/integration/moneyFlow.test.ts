import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
});

import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { ratingCall } from '../../lambdas/hiring/handlers/rateTask.js';
import { bonusKeys, type RatingItem } from '../../lambdas/bonus/keys.js';
import { deliverCall } from '../../lambdas/shared/calls/index.js';
import { moneySteps } from './support/steps.js';
import { baseUrlOf } from './support/network.js';
import { createWorld, type World } from './support/world.js';

/**
 * The money flow across the three services, wired in process with their real code over DynamoDB
 * Local and the SQS server: tasks (managers, tasks, assignments) -> hiring (candidates, ratings,
 * solutions) -> bonus (balance, ledger). Sync calls travel SigV4-signed over a fake `fetch`
 * network; events travel outbox -> in-process bus -> consumers (parking on their real queues).
 */
const PER_RATING_POINT = 100;

let world: World;
let steps: ReturnType<typeof moneySteps>;

beforeEach(async () => {
  vi.stubEnv('AWS_REGION', 'us-east-1');
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDMONEYFLOW');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'money-flow-secret');
  world = await createWorld({ perRatingPoint: PER_RATING_POINT, parking: { baseDelaySeconds: 1, maxAttempts: 3 } });
  steps = moneySteps(world);
});

afterEach(() => {
  vi.unstubAllGlobals();
  vi.unstubAllEnvs();
});

/** The sync calls every service made were delivered at once (no pending row left). */
async function expectAllCallsDelivered(): Promise<void> {
  for (const service of ['tasks', 'hiring'] as const) {
    const calls = await world.pendingCalls(service);
    expect(calls.filter((c) => c.status !== 'delivered'), `pending calls left in ${service}`).toEqual([]);
  }
}

describe('money flow: tasks -> hiring -> bonus, in process on DynamoDB Local and SQS', () => {
  it('manager, task, candidate, assignment, rating 4, solution: the manager earns 400 with one ledger entry', async () => {
    const { managerUid, taskUid, candidateUid } = await steps.taskWithAssignedCandidate();
    expect(await steps.rate(taskUid, 4)).toMatchObject({ task_uid: taskUid, rating: 4, version: 1 });
    const solved = await steps.solve(taskUid, candidateUid);
    expect(solved.task_manager_uid).toBe(managerUid);

    const deliveries = await world.bus.pump();
    expect(deliveries.map((d) => `${d.envelope.event_name}->${d.consumer}`)).toEqual(['TaskSolved->bonus']);

    expect(await steps.balance(managerUid)).toEqual({ manager_uid: managerUid, balance: 4 * PER_RATING_POINT, entries: 1 });
    const ledger = await steps.ledger(managerUid);
    expect(ledger).toEqual([
      expect.objectContaining({
        manager_uid: managerUid,
        amount: 400,
        task_uid: taskUid,
        candidate_uid: candidateUid,
        rating: 4,
        per_rating_point: PER_RATING_POINT,
        payout_account: expect.stringMatching(/^ACC-/),
        solved_at: solved.solved_at,
        event_id: world.bus.events('TaskSolved')[0]!.event_id,
      }),
    ]);

    // The sync calls went over the network, SigV4-signed, with their call id as Idempotency-Key.
    await expectAllCallsDelivered();
    const toHiring = world.network.requestsTo('hiring').map((r) => `${r.method} ${r.path.replace(/[0-9a-f-]{36}/g, '{uid}')} ${r.status}`);
    expect(toHiring).toEqual(['PUT /internal/tasks/{uid} 200', 'POST /internal/assignments 201']);
    const [rating] = world.network.requestsTo('bonus', `/internal/tasks/${taskUid}/rating`);
    expect(rating).toMatchObject({ method: 'PUT', status: 200, body: { task_uid: taskUid, rating: 4, version: 1 } });
    expect(rating!.headers['idempotency-key']).toBe(`rating-${taskUid}-v1`);
    expect(rating!.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDMONEYFLOW\/\d{8}\/us-east-1\/execute-api\/aws4_request/);
  });

  it('a task moved to another manager and solved by a second candidate credits the new manager, not the old', async () => {
    const { managerUid: oldManager, taskUid, candidateUids } = await steps.taskWithAssignedCandidate(2);
    const [first, second] = candidateUids as [string, string];
    const newManager = await steps.createManager('ACC-NEW');
    await world.bus.pump();
    await steps.rate(taskUid, 4);
    expect((await steps.solve(taskUid, first)).task_manager_uid).toBe(oldManager);
    await world.bus.pump();

    expect(await steps.moveTask(taskUid, newManager)).toMatchObject({ manager_uid: newManager, version: 2 });
    await steps.assign(taskUid, second);
    expect((await steps.solve(taskUid, second)).task_manager_uid).toBe(newManager);
    await world.bus.pump();

    expect(await steps.balance(newManager)).toEqual({ manager_uid: newManager, balance: 400, entries: 1 });
    expect(await steps.ledger(newManager)).toEqual([
      expect.objectContaining({ manager_uid: newManager, candidate_uid: second, amount: 400, payout_account: 'ACC-NEW' }),
    ]);
    // The old manager keeps the first solution's credit and nothing more.
    expect(await steps.balance(oldManager)).toEqual({ manager_uid: oldManager, balance: 400, entries: 1 });
    expect(await steps.ledger(oldManager)).toEqual([expect.objectContaining({ candidate_uid: first, amount: 400 })]);
    await expectAllCallsDelivered();
  });

  it('the same TaskSolved delivered three times credits once', async () => {
    const { managerUid, taskUid, candidateUid } = await steps.taskWithAssignedCandidate();
    await steps.rate(taskUid, 4);
    await steps.solve(taskUid, candidateUid);
    await world.bus.pump();
    const [solved] = world.bus.events('TaskSolved');
    // At-least-once: the same event comes back twice more (new SQS messages, same event id).
    for (let i = 0; i < 2; i += 1) expect(await world.bus.deliver(solved!)).toHaveLength(1);

    expect(await steps.balance(managerUid)).toEqual({ manager_uid: managerUid, balance: 400, entries: 1 });
    expect(await steps.ledger(managerUid)).toHaveLength(1);
    expect(await world.bus.peek('bonus', 'dlq')).toEqual([]);
  });

  it('a solution before the rating is parked, not credited, and credited once the rating has arrived', async () => {
    const { managerUid, taskUid, candidateUid } = await steps.taskWithAssignedCandidate();
    await steps.solve(taskUid, candidateUid);
    await world.bus.pump(); // bonus knows the manager but no rating: TaskSolved parked on its own queue

    expect(await steps.balance(managerUid)).toEqual({ manager_uid: managerUid, balance: 0, entries: 0 });
    expect(await steps.ledger(managerUid)).toEqual([]);
    expect(await world.bus.peek('bonus', 'dlq')).toEqual([]);

    await steps.rate(taskUid, 4);
    const [parked] = await world.bus.deliverParked('bonus');
    expect(parked!.MessageAttributes?.['parked-attempt']?.StringValue).toBe('1');
    expect(JSON.parse(parked!.Body!).detail.event_id).toBe(world.bus.events('TaskSolved')[0]!.event_id);

    expect(await steps.balance(managerUid)).toEqual({ manager_uid: managerUid, balance: 400, entries: 1 });
    expect(await steps.ledger(managerUid)).toEqual([expect.objectContaining({ task_uid: taskUid, rating: 4, amount: 400 })]);
    expect(await world.bus.peek('bonus', 'queue')).toEqual([]);
    expect(await world.bus.peek('bonus', 'dlq')).toEqual([]);
  });

  it('a rating made while bonus is down is kept pending, delivered when bonus is back, and the solution is credited', async () => {
    const { managerUid, taskUid, candidateUid } = await steps.taskWithAssignedCandidate();
    world.network.setDown('bonus');
    expect(await steps.rate(taskUid, 4)).toMatchObject({ rating: 4, version: 1 });
    const callId = ratingCall({ task_uid: taskUid, rating: 4, version: 1, rated_at: '' }).call_id;
    const pending = await world.pendingCall('hiring', callId);
    expect(pending).toMatchObject({ status: 'pending', target: 'bonus', path: `/internal/tasks/${taskUid}/rating` });
    expect(world.network.requestsTo('bonus').map((r) => r.status)).toEqual([503, 503]); // the immediate attempts

    await steps.solve(taskUid, candidateUid);
    await world.bus.pump(); // no rating in bonus yet: parked
    expect(await steps.balance(managerUid)).toMatchObject({ balance: 0, entries: 0 });

    // Bonus is back: the deferred delivery (what the deliverer runs for the pending row) sends the same call.
    world.network.setDown('bonus', false);
    const deps = { doc: world.doc, tableName: world.tables.hiring, baseUrls: { bonus: baseUrlOf('bonus') }, retry: { maxAttempts: 1 } };
    expect(await deliverCall(pending!, deps)).toEqual({ task_uid: taskUid, applied: true });
    expect(await world.pendingCall('hiring', callId)).toMatchObject({ status: 'delivered', delivered_at: expect.any(String) });
    // Delivered again (the deferred queue is at-least-once too): no second effect.
    expect(await deliverCall(pending!, deps)).toEqual({ task_uid: taskUid, applied: false });
    expect(world.network.requestsTo('bonus').at(-1)!.headers['idempotency-key']).toBe(callId);

    await world.bus.deliverParked('bonus');
    expect(await steps.balance(managerUid)).toEqual({ manager_uid: managerUid, balance: 400, entries: 1 });
    expect(await steps.ledger(managerUid)).toEqual([expect.objectContaining({ task_uid: taskUid, candidate_uid: candidateUid, amount: 400 })]);
    expect(await world.bus.peek('bonus', 'dlq')).toEqual([]);
  });

  describe('the amount is the rating in force when the task was solved, whatever the order and delay of arrival', () => {
    /** The rating bonus stored for `taskUid`, version by version (what the amounts are decided from). */
    async function ratingsKnownToBonus(taskUid: string) {
      const { Item } = await world.doc.send(new GetCommand({ TableName: world.tables.bonus, Key: bonusKeys.rating(taskUid), ConsistentRead: true }));
      return new Map(((Item as RatingItem | undefined)?.history ?? []).map((v) => [v.version, v]));
    }

    it('rate 1, solve, re-rate 5: the re-rating reaches bonus before the TaskSolved, and 100 is credited', async () => {
      const { managerUid, taskUid, candidateUid } = await steps.taskWithAssignedCandidate();
      await steps.rate(taskUid, 1);
      await steps.solve(taskUid, candidateUid);
      expect(await steps.rate(taskUid, 5)).toMatchObject({ version: 2 });
      expect([...(await ratingsKnownToBonus(taskUid)).keys()]).toEqual([1, 2]);
      await world.bus.pump();
      expect(await steps.balance(managerUid)).toEqual({ manager_uid: managerUid, balance: 100, entries: 1 });
      expect(await steps.ledger(managerUid)).toEqual([expect.objectContaining({ rating: 1, rating_version: 1, amount: 100 })]);
    });

    it('rate 5, solve, re-rate 1: the TaskSolved reaches bonus first, and 500 stays credited after the re-rating', async () => {
      const { managerUid, taskUid, candidateUid } = await steps.taskWithAssignedCandidate();
      await steps.rate(taskUid, 5);
      await steps.solve(taskUid, candidateUid);
      await world.bus.pump();
      await steps.rate(taskUid, 1);
      await world.bus.pump();
      expect(await steps.balance(managerUid)).toEqual({ manager_uid: managerUid, balance: 500, entries: 1 });
      expect(await steps.ledger(managerUid)).toEqual([expect.objectContaining({ rating: 5, rating_version: 1, amount: 500 })]);
    });

    it('the first rating is delayed (bonus down) and arrives after the re-rating: the TaskSolved waits for it and earns it', async () => {
      const { managerUid, taskUid, candidateUid } = await steps.taskWithAssignedCandidate();
      world.network.setDown('bonus');
      await steps.rate(taskUid, 1); // kept pending in hiring
      world.network.setDown('bonus', false);
      await steps.solve(taskUid, candidateUid);
      await steps.rate(taskUid, 5); // reaches bonus at once
      await world.bus.pump(); // bonus knows only v2, rated after the solve: v1 may be the one in force -> parked
      expect(await steps.balance(managerUid)).toMatchObject({ balance: 0, entries: 0 });

      const pending = await world.pendingCall('hiring', ratingCall({ task_uid: taskUid, rating: 1, version: 1, rated_at: '' }).call_id);
      await deliverCall(pending!, { doc: world.doc, tableName: world.tables.hiring, baseUrls: { bonus: baseUrlOf('bonus') }, retry: { maxAttempts: 1 } });
      await world.bus.deliverParked('bonus');
      expect(await steps.balance(managerUid)).toEqual({ manager_uid: managerUid, balance: 100, entries: 1 });
      expect(await world.bus.peek('bonus', 'dlq')).toEqual([]);
    });

    it('a solution made before any rating earns the first rating given after it, not a later one', async () => {
      const { managerUid, taskUid, candidateUid } = await steps.taskWithAssignedCandidate();
      await steps.solve(taskUid, candidateUid);
      await world.bus.pump(); // parked: no rating yet
      await steps.rate(taskUid, 2);
      await steps.rate(taskUid, 4);
      await world.bus.deliverParked('bonus');
      expect(await steps.ledger(managerUid)).toEqual([expect.objectContaining({ rating: 2, rating_version: 1, amount: 200 })]);
    });

    it('20 solutions racing one re-rating: each earns the rating in force at its own solved_at', async () => {
      const { managerUid, taskUid, candidateUids } = await steps.taskWithAssignedCandidate(20);
      for (const candidate of candidateUids.slice(1)) await steps.assign(taskUid, candidate);
      await steps.rate(taskUid, 1);
      await steps.solve(taskUid, candidateUids[0]!); // at least one surely before the re-rating
      const [solved] = await Promise.all([
        Promise.all(candidateUids.slice(1).map((candidate) => steps.solve(taskUid, candidate))),
        steps.rate(taskUid, 5),
      ]);
      await world.bus.pump();

      const reRatedAt = Date.parse((await ratingsKnownToBonus(taskUid)).get(2)!.rated_at);
      const ledger = await steps.ledger(managerUid);
      expect(ledger).toHaveLength(20);
      for (const entry of ledger) {
        const inForce = Date.parse(entry.solved_at) >= reRatedAt ? { rating: 5, rating_version: 2 } : { rating: 1, rating_version: 1 };
        expect(entry, `solved at ${entry.solved_at}, re-rated at ${new Date(reRatedAt).toISOString()}`).toMatchObject(inForce);
      }
      const expected = ledger.reduce((sum, entry) => sum + entry.amount, 0);
      expect(await steps.balance(managerUid)).toEqual({ manager_uid: managerUid, balance: expected, entries: 20 });
      expect(solved).toHaveLength(19);
      expect(ledger.find((entry) => entry.candidate_uid === candidateUids[0])).toMatchObject({ rating: 1 });
    });
  });
});
