import { logger } from '../observability.js';
import { deliverCall, type DeliverCallDeps } from './deliverCall.js';
import type { ServiceCall } from './types.js';

export type CallOutcome = { delivered: true; body: unknown } | { delivered: false; reason: string };

/**
 * The synchronous path of a durable call: try now; if the target is down or refuses, the pending
 * row written with the state change stays, and the deferred-calls queue delivers it later. The
 * caller's own request succeeds either way: its state change is committed.
 */
export async function callNowOrDefer(call: ServiceCall, deps: DeliverCallDeps): Promise<CallOutcome> {
  try {
    const body = await deliverCall(call, deps);
    return { delivered: true, body };
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    logger.warn('call deferred', { call_id: call.call_id, target: call.target, path: call.path, reason });
    return { delivered: false, reason };
  }
}
