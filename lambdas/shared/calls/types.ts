import type { ServiceName } from '../registry/index.js';

/** A synchronous call to another service's internal route, kept durably until it is delivered. */
export interface ServiceCall {
  /** Unique id; sent as `Idempotency-Key`, so a call delivered twice takes effect once. */
  readonly call_id: string;
  readonly target: ServiceName;
  readonly method: 'PUT' | 'POST';
  /** Path under the target's base URL, e.g. `/internal/tasks/<uid>`. */
  readonly path: string;
  readonly body: Record<string, unknown>;
}

export type CallStatus = 'pending' | 'delivered';

/** The pending-call row in the caller's table (its "outbox" for sync calls). */
export interface PendingCallRecord extends ServiceCall {
  pk: string;
  sk: 'CALL';
  item_type: 'call';
  status: CallStatus;
  created_at: string;
  delivered_at?: string;
  expires_at: number;
}

/** Where each target service's API lives; from env `<TARGET>_API_URL`. */
export type ServiceBaseUrls = Partial<Record<ServiceName, string>>;

/** The message the scheduler puts on the deferred-calls queue: just the row's key. */
export interface DeferredCallMessage {
  readonly pk: string;
}
