import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../../local/net.js';
import { LocalScheduler, rateMinutes, type LocalSchedule } from '../../../local/scheduler.js';

const RULE_ARN = 'arn:aws:events:us-east-1:000000000000:rule/S-Redrive';
const FN_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:S-Redriver';
const QUEUE_ARN = 'arn:aws:sqs:us-east-1:000000000000:S-Work';

const schedule = (overrides: Partial<LocalSchedule> = {}): LocalSchedule => ({
  key: 'S/Redrive',
  expression: 'rate(1 minute)',
  periodMinutes: 1,
  ruleArn: RULE_ARN,
  targets: [{ arn: FN_ARN, input: undefined }],
  ...overrides,
});

let scheduler: LocalScheduler | undefined;
afterEach(async () => {
  await scheduler?.stop();
  scheduler = undefined;
});

describe('rateMinutes', () => {
  it('reads rate expressions as EventBridge writes them (singular for 1, plural otherwise)', () => {
    expect(rateMinutes('rate(1 minute)')).toBe(1);
    expect(rateMinutes('rate(5 minutes)')).toBe(5);
    expect(rateMinutes('rate(2 hours)')).toBe(120);
    expect(rateMinutes('rate(1 day)')).toBe(1440);
  });

  it('refuses what EventBridge refuses, and cron/at expressions (not emulated)', () => {
    for (const expression of ['rate(1 minutes)', 'rate(5 minute)', 'rate(0 minutes)', 'rate(30 seconds)', 'cron(0 12 * * ? *)', 'at(2026-12-01T00:00:00)']) {
      expect(rateMinutes(expression), expression).toBeUndefined();
    }
  });
});

describe('LocalScheduler', () => {
  it('invokes a rule target with the scheduled event once a (compressed) period has passed, again each period', async () => {
    const events: unknown[] = [];
    scheduler = new LocalScheduler({ secondsPerMinute: 0.1, targets: { lambda: async (_arn, event) => events.push(event), sqs: async () => undefined }, onError: () => undefined });
    const started = Date.now();
    scheduler.update([schedule()]);
    await waitFor(() => events.length >= 2, { timeoutMs: 10_000, what: 'two scheduled runs' });
    // rate(1 minute) at 0.1 s per minute: every 100 ms, the first one period after the schedule appeared.
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(events[0]).toMatchObject({ 'detail-type': 'Scheduled Event', source: 'aws.events', resources: [RULE_ARN], detail: {}, account: '000000000000' });
  });

  it('sends a target its Input instead, to a queue as well as a function', async () => {
    const sent: Array<[string, string]> = [];
    const invoked: unknown[] = [];
    scheduler = new LocalScheduler({
      secondsPerMinute: 0.05,
      targets: { lambda: async (_arn, event) => invoked.push(event), sqs: async (arn, body) => void sent.push([arn, body]) },
      onError: () => undefined,
    });
    scheduler.update([schedule({ targets: [{ arn: QUEUE_ARN, input: '{"tick":true}' }, { arn: FN_ARN, input: '{"run":"all"}' }] })]);
    await waitFor(() => sent.length > 0 && invoked.length > 0, { timeoutMs: 10_000, what: 'a run' });
    expect(sent[0]).toEqual([QUEUE_ARN, '{"tick":true}']);
    expect(invoked[0]).toEqual({ run: 'all' });
  });

  it('skips a tick while the previous run of the same schedule is still going, and reports failed runs', async () => {
    let running = 0;
    let overlapped = false;
    let runs = 0;
    const errors: string[] = [];
    scheduler = new LocalScheduler({
      secondsPerMinute: 0.02,
      targets: {
        lambda: async () => {
          running += 1;
          overlapped ||= running > 1;
          runs += 1;
          await new Promise((resolve) => setTimeout(resolve, 100));
          running -= 1;
          throw new Error('redriver failed');
        },
        sqs: async () => undefined,
      },
      onError: (message) => errors.push(message),
    });
    scheduler.update([schedule()]);
    await waitFor(() => runs >= 3, { timeoutMs: 10_000, what: 'three runs' });
    expect(overlapped).toBe(false);
    expect(errors[0]).toContain('S/Redrive: scheduled run of arn:aws:lambda');
    expect(errors[0]).toContain('redriver failed');
  });

  it('stops a schedule that a reload removed', async () => {
    const runs = { old: 0, next: 0 };
    scheduler = new LocalScheduler({
      secondsPerMinute: 0.05,
      targets: {
        lambda: async (arn) => {
          if (arn === FN_ARN) runs.old += 1;
          else runs.next += 1;
        },
        sqs: async () => undefined,
      },
      onError: () => undefined,
    });
    scheduler.update([schedule()]);
    await waitFor(() => runs.old >= 1, { timeoutMs: 10_000, what: 'a run' });
    scheduler.update([schedule({ key: 'S/Other', targets: [{ arn: `${FN_ARN}-2`, input: undefined }] })]);
    const removedAt = runs.old;
    // Three periods of the new schedule, at the same rate: the removed one would have run in them too.
    await waitFor(() => runs.next >= 3, { timeoutMs: 10_000, what: 'three runs of the new schedule' });
    expect(runs.old).toBe(removedAt);
  });
});
