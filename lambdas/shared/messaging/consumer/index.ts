export { createConsumer } from './createConsumer.js';
export { classifyError } from './classifyError.js';
export { processRecord } from './processRecord.js';
export { processedMarker } from './processedMarker.js';
export { parkingDelay } from './parkingDelay.js';
export type {
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
