/**
 * Waiting queues: where a message goes when it cannot succeed YET after its quick retries (a
 * consumer's prerequisite still missing after the parking budget, a deferred call whose target
 * keeps failing). A scheduled redriver sends each back to its queue on a growing schedule until
 * a horizon (default 14 days), then to the poison DLQ with the reason.
 *
 * Lambda entry point (bundled by the `WaitingQueue` construct): `redriverHandler.ts`.
 */
export { sendToWaitingQueue, type WaitingEntry } from './sendToWaitingQueue.js';
export { redriveWaiting, type RedriveSummary, type RedriveWaitingOptions } from './redriveWaiting.js';
export { waitingDecision, waitingDelaySeconds } from './waitingDecision.js';
export { waitingStateOf, waitingAttributes, recordAttributes, messageAttributes } from './waitingState.js';
export { scheduleFromEnv } from './scheduleFromEnv.js';
export type { WaitingSchedule, WaitingState, WaitingDecision, AttributeReader } from './types.js';
