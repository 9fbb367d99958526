import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { retryWrite } from '../dynamodb/retryWrite.js';
import { callService, type RetryOptions } from '../http/index.js';
import { pendingCallKey } from './pendingCallPut.js';
import type { ServiceBaseUrls, ServiceCall } from './types.js';

export interface DeliverCallDeps {
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly baseUrls: ServiceBaseUrls;
  /** Retry budget of this attempt (attempts, delays, total time); `callService`'s defaults otherwise. */
  readonly retry?: RetryOptions;
  /** Per-attempt timeout in ms. */
  readonly timeoutMs?: number;
}

/**
 * Calls the target now (SigV4-signed, retried with backoff and jitter inside `callService`) and
 * marks the pending row delivered. Throws `ServiceUnavailableError` when the target stays down and
 * `ServiceCallRejectedError` on a 4xx; the row then stays pending.
 */
export async function deliverCall(call: ServiceCall, deps: DeliverCallDeps): Promise<unknown> {
  const baseUrl = deps.baseUrls[call.target];
  if (!baseUrl) throw new Error(`no base URL configured for service ${call.target} (env ${call.target.toUpperCase()}_API_URL)`);
  const response = await callService({
    retry: deps.retry,
    timeoutMs: deps.timeoutMs,
    baseUrl,
    method: call.method,
    path: call.path,
    body: call.body,
    idempotencyKey: call.call_id,
  });
  const markDelivered = new UpdateCommand({
    TableName: deps.tableName,
    Key: pendingCallKey(call.call_id),
    UpdateExpression: 'SET #status = :delivered, delivered_at = :now',
    ConditionExpression: 'attribute_exists(pk)',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':delivered': 'delivered', ':now': new Date().toISOString() },
  });
  // Right after the transaction that created the row, a conflict on it is possible: retried.
  await retryWrite(() => deps.doc.send(markDelivered), { what: `call ${call.call_id}` });
  return response.body;
}
