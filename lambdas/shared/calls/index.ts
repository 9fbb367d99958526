/**
 * Durable synchronous calls between services: the call is recorded in the caller's table in the
 * same transaction as the state change that causes it, tried at once, and delivered later from
 * that record when the target is down. Targets apply calls idempotently (idempotency key = call id,
 * newest version wins).
 */
export { pendingCallPut, pendingCallKey } from './pendingCallPut.js';
export { callNowOrDefer, type CallOutcome } from './callNowOrDefer.js';
export { deliverCall, type DeliverCallDeps } from './deliverCall.js';
export { baseUrlsFromEnv } from './baseUrlsFromEnv.js';
export type { ServiceCall, PendingCallRecord, ServiceBaseUrls, DeferredCallMessage } from './types.js';
