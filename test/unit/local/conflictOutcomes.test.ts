import { describe, expect, it } from 'vitest';
import { WRITE_RETRY_LOG_MESSAGE } from '../../../lambdas/shared/dynamodb/index.js';
import { RETRY_LOG } from '../../../lambdas/shared/messaging/consumer/index.js';
import { ConflictOutcomes, conflictOutcomeOf } from '../../../local/faults/conflictOutcomes.js';

const line = (entry: Record<string, unknown>) => JSON.stringify({ level: 'INFO', timestamp: '2026-12-01T00:00:00.000Z', service: 'bonus', ...entry });
const cancellation = 'TransactionCanceledException: Transaction cancelled, please refer cancellation reasons for specific reasons [None, TransactionConflict]';

describe('conflictOutcomeOf: what a function log line says became of a transaction conflict', () => {
  it('reads retryWrite retries caused by a conflict as retried in-process', () => {
    expect(conflictOutcomeOf(line({ message: WRITE_RETRY_LOG_MESSAGE, reason: 'TransactionConflict', attempt: 1, delay_ms: 12 }))).toBe('retried-in-process');
    // Retries for other reasons are not conflicts.
    expect(conflictOutcomeOf(line({ message: WRITE_RETRY_LOG_MESSAGE, reason: 'raced', what: 'TransactionConflict-named item' }))).toBeUndefined();
  });

  it("reads the batch handlers' transaction retries caused by a conflict as retried in-process", () => {
    expect(conflictOutcomeOf(line({ message: RETRY_LOG.retrying, retry_reason: 'TransactionConflict', attempt: 1, records: 30, error: cancellation }))).toBe('retried-in-process');
    expect(conflictOutcomeOf(line({ message: RETRY_LOG.retrying, retry_reason: 'Throttling', attempt: 1, error: cancellation }))).toBeUndefined();
  });

  it("reads the consumer's batch item failure caused by a conflict as back to SQS", () => {
    expect(conflictOutcomeOf(line({ level: 'WARN', message: 'transient failure; SQS will retry', error: cancellation }))).toBe('back-to-sqs');
    expect(conflictOutcomeOf(line({ level: 'WARN', message: 'transient failure; SQS will retry', error: 'ThrottlingException: slow down' }))).toBeUndefined();
  });

  it('ignores other lines, including non-JSON ones that mention conflicts', () => {
    expect(conflictOutcomeOf('TransactionConflict somewhere in a stack trace')).toBeUndefined();
    expect(conflictOutcomeOf(line({ message: 'event consumed' }))).toBeUndefined();
  });

  it('tallies by outcome and by function role', () => {
    const outcomes = new ConflictOutcomes((fn) => (fn.includes('BonusFrom') ? 'bonus-consumer' : 'hiring-api'));
    outcomes.observe('S-BonusFromHiringFunction1', line({ message: 'transient failure; SQS will retry', error: cancellation }));
    outcomes.observe('S-HiringHttpFunction1', line({ message: WRITE_RETRY_LOG_MESSAGE, reason: 'TransactionConflict' }));
    outcomes.observe('S-HiringHttpFunction1', line({ message: WRITE_RETRY_LOG_MESSAGE, reason: 'TransactionConflict' }));
    expect(outcomes.total('retried-in-process')).toBe(2);
    expect(outcomes.byRole('retried-in-process')).toEqual({ 'hiring-api': 2 });
    expect(outcomes.byRole('back-to-sqs')).toEqual({ 'bonus-consumer': 1 });
  });
});
