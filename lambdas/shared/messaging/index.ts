/**
 * The messaging kit: transactional outbox on the producer side, an idempotent, failure-classifying
 * SQS consumer runtime on the consumer side, last-write-wins writes for CUD streams.
 *
 * Lambda entry points (bundled by the constructs, not imported): `publisher/handler.ts`,
 * `publisher/republisherHandler.ts`.
 */
export { writeWithOutbox, type WriteWithOutboxOptions } from './writeWithOutbox.js';
export { outboxItem } from './outboxItem.js';
export { outboxPut } from './outboxPut.js';
export { lastWriteWinsPut, lastWriteWinsCondition, isLastWriteWins } from './lastWriteWins.js';
export { firstWriteWinsPut } from './firstWriteWins.js';
export { cancellationCodes, cancellationReasons } from './cancellationReasons.js';
export { putEventsEntry } from './putEventsEntry.js';
export { eventSource } from './constants.js';
export {
  PoisonError,
  PrerequisiteMissingError,
  TransactionTooLargeError,
  EventTooLargeError,
  MalformedMessageError,
  UnsupportedEventError,
} from './errors.js';
export * from './consumer/index.js';
export type { TransactWriteItem, OutboxRecord, OutboxWrite } from './types.js';
