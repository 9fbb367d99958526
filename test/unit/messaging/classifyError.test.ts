import { describe, expect, it } from 'vitest';
import { classifyError } from '../../../lambdas/shared/messaging/consumer/classifyError.js';
import { MalformedMessageError, PoisonError, PrerequisiteMissingError, TransactionTooLargeError, UnsupportedEventError } from '../../../lambdas/shared/messaging/errors.js';
import { EventValidationError, UnknownEventError } from '../../../lambdas/shared/registry/index.js';
import { awsError, transactionCanceled } from './factories.js';

describe('classifyError', () => {
  it.each([
    new PoisonError('no'),
    new MalformedMessageError('not json'),
    new UnsupportedEventError('TaskSolved', '1', 'bonus'),
    new TransactionTooLargeError(101, 100),
    new EventValidationError('TaskSolved', '0', [{ field: 'payload', reason: 'bad' }]),
    new UnknownEventError('X', '0', [], []),
    new TypeError('x is undefined'),
    new RangeError('bad'),
    awsError('ValidationException'),
  ])('%s is poison', (error) => {
    expect(classifyError(error)).toBe('poison');
  });

  it('PrerequisiteMissingError parks', () => {
    expect(classifyError(new PrerequisiteMissingError('later'))).toBe('prerequisite-missing');
  });

  it.each([
    awsError('ThrottlingException'),
    awsError('ProvisionedThroughputExceededException'),
    awsError('InternalServerError', 'server'),
    awsError('AccessDeniedException'),
    transactionCanceled(['TransactionConflict']),
    Object.assign(new TypeError('fetch failed'), { code: 'ECONNREFUSED' }),
    new Error('unknown'),
    'a string',
  ])('%s is transient', (error) => {
    expect(classifyError(error)).toBe('transient');
  });
});
