export { createConsumer } from './createConsumer.js';
export { classifyError } from './classifyError.js';
export { processRecord } from './processRecord.js';
export { processBatch } from './processBatch.js';
export { processedMarker, processedMarkerKey } from './processedMarker.js';
export { prerequisiteMissing, poison, isBatchHandler, beforeHandling } from './batchHandlers.js';
export { RETRY_LOG } from './writeBatch.js';
export { parkingDelay } from './parkingDelay.js';
export type {
  AnyEventHandler,
  BatchEffect,
  BatchEventHandler,
  DecideContext,
  Decision,
  Increment,
  Poison,
  PrerequisiteMissing,
  ReadItems,
  TableKey,
  TransactionRetryOptions,
  ConsumerContext,
  ConsumerHandlers,
  ConsumerOptions,
  ConsumerOverrides,
  Effect,
  EventHandler,
  FailureKind,
  ParkingOptions,
  RecordOutcome,
} from './types.js';
