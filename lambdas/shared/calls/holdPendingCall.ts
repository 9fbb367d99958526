import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { pendingCallKey } from './pendingCallPut.js';

/**
 * Keeps a pending-call row at least until `until` (its `expires_at` TTL is only ever moved later).
 * Called before the row's message moves to the waiting queue or the DLQ, where it can stay for
 * the horizon plus the DLQ's retention and be redriven: the row must still be there then, or the
 * call would be lost. A row already kept longer, or gone, is left as it is.
 *
 * @example
 * ```ts
 * await holdPendingCall(doc, tableName, call.call_id, new Date(Date.now() + pendingCallHoldSeconds(horizon) * 1000));
 * ```
 */
export async function holdPendingCall(doc: DynamoDBDocumentClient, tableName: string, callId: string, until: Date): Promise<void> {
  const expiresAt = Math.floor(until.getTime() / 1000);
  try {
    await doc.send(
      new UpdateCommand({
        TableName: tableName,
        Key: pendingCallKey(callId),
        UpdateExpression: 'SET expires_at = :until',
        ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(expires_at) OR expires_at < :until)',
        ExpressionAttributeValues: { ':until': expiresAt },
      }),
    );
  } catch (error) {
    if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
  }
}
