import { CreateTableCommand, DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SERVICE_TABLE_KEYS } from '../../lib/constructs/ServiceTable.js';

export interface ServiceTableOptions {
  /**
   * With the stream ServiceTable has (NEW_AND_OLD_IMAGES); only for a test that reads it. Off by
   * default: on each write to a table with a stream, DynamoDB Local looks up the stream's first record
   * with `SELECT MIN(SequenceNumber) FROM us WHERE StreamID = ?`, no index on StreamID, so it walks the
   * stream records of every table created before in that JVM, deleted tables' included (a 20-item
   * transaction: 31 ms on a fresh JVM, 172 ms after 20,000 stream records elsewhere). On the test run's
   * shared DynamoDB Local, every file's writes would slow down every later file's.
   * @default false
   */
  readonly stream?: boolean;
}

/** Creates a table with ServiceTable's key schema and outbox GSI, and its stream when asked; returns the stream's ARN. */
export async function createServiceTable(dynamodb: DynamoDBClient, tableName: string, options: ServiceTableOptions & { stream: true }): Promise<string>;
export async function createServiceTable(dynamodb: DynamoDBClient, tableName: string, options?: ServiceTableOptions & { stream?: false }): Promise<undefined>;
export async function createServiceTable(dynamodb: DynamoDBClient, tableName: string, options: ServiceTableOptions = {}): Promise<string | undefined> {
  const k = SERVICE_TABLE_KEYS;
  const withStream = options.stream === true;
  await dynamodb.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: k.partitionKey, AttributeType: 'S' },
        { AttributeName: k.sortKey, AttributeType: 'S' },
        { AttributeName: k.outboxIndex.partitionKey, AttributeType: 'S' },
        { AttributeName: k.outboxIndex.sortKey, AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: k.partitionKey, KeyType: 'HASH' },
        { AttributeName: k.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: k.outboxIndex.indexName,
          KeySchema: [
            { AttributeName: k.outboxIndex.partitionKey, KeyType: 'HASH' },
            { AttributeName: k.outboxIndex.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...k.outboxIndex.nonKeyAttributes] },
        },
      ],
      ...(withStream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' } } : {}),
    }),
  );
  if (!withStream) return undefined;
  const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
  return Table!.LatestStreamArn!;
}
