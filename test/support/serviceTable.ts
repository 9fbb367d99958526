import { CreateTableCommand, DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SERVICE_TABLE_KEYS } from '../../lib/constructs/ServiceTable.js';

export interface ServiceTableOptions {
  /**
   * Without the stream ServiceTable has (NEW_AND_OLD_IMAGES), only where nothing reads it: on each
   * write to a table with a stream, DynamoDB Local looks up the stream's first record with
   * `SELECT MIN(SequenceNumber) FROM us WHERE StreamID = ?`, no index on StreamID, so it walks the
   * stream records of every table created before this one in that JVM: writes slow down run after run.
   */
  stream: false;
}

/** Creates a table with ServiceTable's key schema, stream and outbox GSI; returns its stream ARN. */
export async function createServiceTable(dynamodb: DynamoDBClient, tableName: string): Promise<string>;
/** The same table without its stream (see {@link ServiceTableOptions.stream}). */
export async function createServiceTable(dynamodb: DynamoDBClient, tableName: string, options: ServiceTableOptions): Promise<undefined>;
export async function createServiceTable(dynamodb: DynamoDBClient, tableName: string, options?: ServiceTableOptions): Promise<string | undefined> {
  const k = SERVICE_TABLE_KEYS;
  const withStream = options?.stream !== false;
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
