/**
 * DynamoDB writes under contention: the one retry helper of the services' write paths (transaction
 * conflicts, throttling, lost read-modify-write races), the 409 it ends in, and the log line it
 * leaves per retry.
 */
export { retryWrite, type RetryWriteOptions, type WriteRetryLogger } from './retryWrite.js';
export { writeRetryReason, type WriteRetryReason } from './writeRetryReason.js';
export { WriteContentionError, WriteRaced } from './errors.js';
export { WRITE_RETRY_LOG_MESSAGE } from './constants.js';
