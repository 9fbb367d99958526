import type { TransactWriteItem } from '../messaging/types.js';
import { PENDING_CALL_TTL_SECONDS } from './constants.js';
import type { PendingCallRecord, ServiceCall } from './types.js';

export function pendingCallKey(callId: string): { pk: string; sk: 'CALL' } {
  return { pk: `CALL#${callId}`, sk: 'CALL' };
}

/**
 * The transaction item that records `call` as pending. Put it in the SAME transaction as the state
 * change that causes the call: if the change commits, the call is never lost, whatever happens to
 * the Lambda afterwards (the table stream schedules a deferred delivery).
 *
 * @example
 * ```ts
 * const call = { call_id: randomUUID(), target: 'hiring', method: 'PUT', path: `/internal/tasks/${uid}`, body: task };
 * await doc.send(new TransactWriteCommand({ TransactItems: [putTask, pendingCallPut(tableName, call)] }));
 * await callNowOrDefer(call, deps);
 * ```
 */
export function pendingCallPut(tableName: string, call: ServiceCall, now: Date = new Date()): TransactWriteItem {
  const item: PendingCallRecord = {
    ...call,
    ...pendingCallKey(call.call_id),
    item_type: 'call',
    status: 'pending',
    created_at: now.toISOString(),
    expires_at: Math.floor(now.getTime() / 1000) + PENDING_CALL_TTL_SECONDS,
  };
  return { Put: { TableName: tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } };
}
