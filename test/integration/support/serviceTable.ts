import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SERVICE_TABLE_KEYS } from '../../../lib/constructs/ServiceTable.js';

/** Creates a service table as `ServiceTable` does: pk/sk, stream, the sparse outbox index `gsi1`. */
export async function createServiceTable(dynamodb: DynamoDBClient, tableName: string): Promise<void> {
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
}
