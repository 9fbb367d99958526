import { ConflictError } from '../http/errors.js';

/**
 * Thrown by a read-modify-write attempt when its write was refused because what it read has changed
 * meanwhile (its optimistic condition failed): {@link retryWrite} reads again and retries.
 *
 * @example
 * ```ts
 * if (failedConditionIndex(error) === 0) throw new WriteRaced('task version changed');
 * ```
 */
export class WriteRaced extends Error {
  public constructor(message = 'the item changed between the read and the write', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WriteRaced';
  }
}

/**
 * The write kept meeting concurrent writers (transaction conflicts, throttling or lost races) for
 * the whole retry budget -> 409 `write_conflict`. Nothing was written; the client may retry (with
 * the same `Idempotency-Key`).
 */
export class WriteContentionError extends ConflictError {
  public readonly attempts: number;
  public readonly lastReason: string;

  public constructor(what: string, attempts: number, lastReason: string, cause?: unknown) {
    super(`${what} is being changed by concurrent requests (${lastReason}, ${attempts} attempts); nothing was written, retry`, 'write_conflict');
    this.name = 'WriteContentionError';
    this.attempts = attempts;
    this.lastReason = lastReason;
    if (cause !== undefined) Object.defineProperty(this, 'cause', { value: cause, enumerable: false });
  }
}
