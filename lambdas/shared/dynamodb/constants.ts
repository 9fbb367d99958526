/**
 * The message every in-process write retry is logged with (one structured line per retry, with
 * `reason`, `attempt`, `delay_ms`, `what`). The offline chaos run counts these lines (reason
 * `TransactionConflict`) as "conflicts retried in-process"; a component that retries a DynamoDB
 * write by itself should log the same line.
 */
export const WRITE_RETRY_LOG_MESSAGE = 'write retried';

/**
 * Attempts in all, the first included: enough for a writer that waits behind ~20 others on one
 * item; the time budget below is what usually ends a hopeless run.
 */
export const DEFAULT_WRITE_ATTEMPTS = 20;
/** Full-jitter backoff between attempts: the ceiling starts here and doubles... */
export const DEFAULT_WRITE_BASE_DELAY_MS = 20;
/** ...up to this. */
export const DEFAULT_WRITE_MAX_DELAY_MS = 1_000;
/**
 * No retry starts later than this after the first attempt: well inside API Gateway's 29 s and the
 * functions' 30 s, so a client gets a 409 it can act on, never a timeout.
 */
export const DEFAULT_WRITE_BUDGET_MS = 8_000;

/**
 * Cancellation-reason codes of a `TransactWriteItems` that pass with time (DynamoDB's names in
 * `CancellationReasons[].Code`).
 */
export const RETRYABLE_CANCELLATION_CODES: ReadonlySet<string> = new Set(['TransactionConflict', 'ThrottlingError', 'ProvisionedThroughputExceeded', 'RequestLimitExceeded']);

/** Error names of a single-item request that pass with time (the SDK's own retries spent, or not retried by it). */
export const RETRYABLE_ERROR_NAMES: ReadonlySet<string> = new Set([
  'TransactionConflictException',
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TransactionInProgressException',
]);
