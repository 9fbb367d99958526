/**
 * Thrown by a consumer handler when the message can never succeed (bad data the schema could
 * not catch, a business rule that rejects it). The runtime sends it to the DLQ at once.
 *
 * @example
 * ```ts
 * if (payload.amount < 0) throw new PoisonError('negative amount');
 * ```
 */
export class PoisonError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PoisonError';
  }
}

/**
 * Thrown by a consumer handler when something it needs has not arrived yet (bonus has no
 * manager for a TaskSolved). The runtime parks the message: re-sends it with a growing delay,
 * and after the retry budget sends it to the DLQ with this reason.
 *
 * @example
 * ```ts
 * const manager = await getManager(event.payload.task_manager_uid);
 * if (!manager) throw new PrerequisiteMissingError(`manager ${event.payload.task_manager_uid} unknown`);
 * ```
 */
export class PrerequisiteMissingError extends Error {
  constructor(readonly reason: string, options?: ErrorOptions) {
    super(reason, options);
    this.name = 'PrerequisiteMissingError';
  }
}

/** A transaction would exceed DynamoDB's 100-item limit; nothing was written. */
export class TransactionTooLargeError extends Error {
  constructor(readonly itemCount: number, readonly limit: number) {
    super(`TransactWriteItems takes at most ${limit} items, got ${itemCount}`);
    this.name = 'TransactionTooLargeError';
  }
}

/** An event too big for one PutEvents entry (256 KB): it could be stored but never published. */
export class EventTooLargeError extends Error {
  constructor(readonly eventId: string, readonly bytes: number, readonly limit: number) {
    super(`event ${eventId} is ${bytes} bytes on the bus, above the ${limit}-byte PutEvents limit`);
    this.name = 'EventTooLargeError';
  }
}

/** The SQS body is not an EventBridge event carrying an envelope in `detail`. */
export class MalformedMessageError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'MalformedMessageError';
  }
}

/** The consumer has no handler for this event name/version (its rule should not have matched). */
export class UnsupportedEventError extends Error {
  constructor(readonly eventName: string, readonly eventVersion: string, readonly consumer: string) {
    super(`consumer ${consumer} has no handler for ${eventName} v${eventVersion}`);
    this.name = 'UnsupportedEventError';
  }
}
