import { CreateTableCommand, DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SERVICE_TABLE_KEYS } from '../../lib/constructs/ServiceTable.js';

/** Creates a table with ServiceTable's key schema, stream and outbox GSI; returns its stream ARN. */
export async function createServiceTable(dynamodb: DynamoDBClient, tableName: string): Promise<string> {
  const k = SERVICE_TABLE_KEYS;
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
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
    }),
  );
  const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
  return Table!.LatestStreamArn!;
}
