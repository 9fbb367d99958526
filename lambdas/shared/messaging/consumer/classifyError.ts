import { EventValidationError, UnknownEventError } from '../../registry/index.js';
import {
  EventTooLargeError,
  MalformedMessageError,
  PoisonError,
  PrerequisiteMissingError,
  TransactionTooLargeError,
  UnsupportedEventError,
} from '../errors.js';
import type { FailureKind } from './types.js';

/** AWS error names that mean "this request can never succeed as sent". */
const AWS_POISON_NAMES = new Set([
  'ValidationException',
  'SerializationException',
  'InvalidParameterValueException',
  'InvalidParameterValue',
  'ItemCollectionSizeLimitExceededException',
]);

/** JavaScript errors that signal a programming or data error, not a passing condition. */
const PROGRAMMING_ERRORS = [TypeError, RangeError, ReferenceError, SyntaxError] as const;

const isAwsError = (error: Error): boolean => '$metadata' in error || '$fault' in error;

/**
 * Classifies an error thrown while handling a record:
 * - `prerequisite-missing`: {@link PrerequisiteMissingError} -> park and retry later;
 * - `poison`: invalid/unknown/unsupported events, unparsable bodies, {@link PoisonError},
 *   programming errors (TypeError...) and AWS validation errors -> DLQ at once;
 * - `transient`: everything else (throttling, 5xx, network, TransactionConflict, unknown) ->
 *   batch item failure, SQS retries and redrives after maxReceiveCount.
 *
 * @example
 * ```ts
 * if (classifyError(error) === 'transient') throw error;
 * ```
 */
export function classifyError(error: unknown): FailureKind {
  if (error instanceof PrerequisiteMissingError) return 'prerequisite-missing';
  if (!(error instanceof Error)) return 'transient';
  if (
    error instanceof PoisonError ||
    error instanceof EventValidationError ||
    error instanceof UnknownEventError ||
    error instanceof MalformedMessageError ||
    error instanceof UnsupportedEventError ||
    error instanceof TransactionTooLargeError ||
    error instanceof EventTooLargeError
  ) {
    return 'poison';
  }
  if (isAwsError(error)) return AWS_POISON_NAMES.has(error.name) ? 'poison' : 'transient';
  // Node system errors (ECONNRESET, ETIMEDOUT...) pass.
  if (typeof (error as NodeJS.ErrnoException).code === 'string') return 'transient';
  if (PROGRAMMING_ERRORS.some((type) => error instanceof type)) return 'poison';
  return 'transient';
}
