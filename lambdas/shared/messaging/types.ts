import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';

/** One entry of a DynamoDB `TransactWriteItems` in the document client's (native JS) shape. */
export type TransactWriteItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** An outbox row as stored in the service table. */
export interface OutboxRecord {
  pk: string;
  sk: string;
  item_type: 'outbox';
  /** The event envelope, stored as a DynamoDB map. */
  event: Record<string, unknown>;
  gsi1pk: string;
  gsi1sk: string;
  expires_at: number;
}

/** What `writeWithOutbox` commits in one transaction. */
export interface OutboxWrite<E> {
  /** State changes (Put/Update/Delete/ConditionCheck) of the aggregate. */
  changes: TransactWriteItem[];
  /** Events produced by those changes; validated before anything is written. */
  events: E[];
}
