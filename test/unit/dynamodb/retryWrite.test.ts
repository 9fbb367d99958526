import { ConditionalCheckFailedException, TransactionCanceledException, TransactionConflictException } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { retryWrite, WRITE_RETRY_LOG_MESSAGE, WriteContentionError, WriteRaced, writeRetryReason } from '../../../lambdas/shared/dynamodb/index.js';
import { HttpError } from '../../../lambdas/shared/http/index.js';

const meta = { $metadata: {} };
const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({ ...meta, message: `Transaction cancelled [${codes.join(', ')}]`, CancellationReasons: codes.map((Code) => ({ Code })) });
const conflict = () => new TransactionConflictException({ ...meta, message: 'Transaction is ongoing for the item' });

/** A clock that only moves when the helper sleeps, and a record of the pauses. */
function fakeTime() {
  let t = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => t,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
  };
}

describe('writeRetryReason', () => {
  it('names transaction conflicts and throttling, and nothing else', () => {
    expect(writeRetryReason(cancelled('None', 'TransactionConflict'))).toBe('TransactionConflict');
    expect(writeRetryReason(conflict())).toBe('TransactionConflict');
    expect(writeRetryReason(cancelled('ThrottlingError', 'None'))).toBe('throttled');
    expect(writeRetryReason(Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException' }))).toBe('throttled');
    expect(writeRetryReason(cancelled('ConditionalCheckFailed', 'None'))).toBeUndefined();
    expect(writeRetryReason(new ConditionalCheckFailedException({ ...meta, message: 'The conditional request failed' }))).toBeUndefined();
    expect(writeRetryReason(new Error('boom'))).toBeUndefined();
    expect(writeRetryReason('not an error')).toBeUndefined();
  });
});

describe('retryWrite', () => {
  it('runs the attempt again after conflicts, throttling and lost races, with jittered pauses, and logs each retry', async () => {
    const time = fakeTime();
    const failures: unknown[] = [cancelled('None', 'TransactionConflict'), conflict(), cancelled('ThrottlingError'), new WriteRaced('version moved')];
    const logged: Array<Record<string, unknown>> = [];
    let runs = 0;
    const result = await retryWrite(
      async (n) => {
        runs += 1;
        expect(n).toBe(runs);
        if (failures.length) throw failures.shift();
        return 'written';
      },
      { what: 'the rating of task T', ...time, random: () => 0.5, logger: { info: (message, ...extra) => logged.push({ message, ...Object.assign({}, ...extra) }) } },
    );
    expect(result).toBe('written');
    expect(runs).toBe(5);
    // Full jitter: half of 20, 40, 80, 160 ms with random() = 0.5.
    expect(time.sleeps).toEqual([10, 20, 40, 80]);
    expect(logged.map((l) => [l.message, l.reason, l.attempt])).toEqual([
      [WRITE_RETRY_LOG_MESSAGE, 'TransactionConflict', 1],
      [WRITE_RETRY_LOG_MESSAGE, 'TransactionConflict', 2],
      [WRITE_RETRY_LOG_MESSAGE, 'throttled', 3],
      [WRITE_RETRY_LOG_MESSAGE, 'raced', 4],
    ]);
  });

  it('rethrows any other error at once: failed conditions, HTTP answers, bugs', async () => {
    for (const error of [cancelled('ConditionalCheckFailed'), new HttpError(404, 'not_found', 'no task'), new TypeError('x is undefined')]) {
      let runs = 0;
      await expect(
        retryWrite(
          async () => {
            runs += 1;
            throw error;
          },
          { what: 'x', ...fakeTime() },
        ),
      ).rejects.toBe(error);
      expect(runs).toBe(1);
    }
  });

  it('ends in 409 write_conflict, with the last cause, when the attempts are spent', async () => {
    const time = fakeTime();
    const error = await retryWrite(
      async () => {
        throw cancelled('TransactionConflict');
      },
      { what: 'the balance of manager M', maxAttempts: 4, ...time },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WriteContentionError);
    const contention = error as WriteContentionError;
    expect(contention).toMatchObject({ status: 409, code: 'write_conflict', attempts: 4, lastReason: 'TransactionConflict' });
    expect(contention.message).toMatch(/^the balance of manager M is being changed by concurrent requests/);
    expect(contention.cause).toBeInstanceOf(TransactionCanceledException);
    expect(time.sleeps).toHaveLength(3);
  });

  it('ends in 409 when the next pause would end after the time budget', async () => {
    const time = fakeTime();
    const error = await retryWrite(
      async () => {
        throw conflict();
      },
      { what: 'x', maxAttempts: 100, budgetMs: 1000, random: () => 0.99, ...time },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WriteContentionError);
    expect(time.now()).toBeLessThanOrEqual(1000);
    expect((error as WriteContentionError).attempts).toBeLessThan(100);
  });
});
