import { CreateTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { localClients, uniqueName } from '../support/aws.js';

describe('local AWS services started by the global setup', () => {
  const { dynamodb, sqs } = localClients();

  it('DynamoDB Local creates a table with a stream', async () => {
    const TableName = uniqueName('smoke');
    await dynamodb.send(
      new CreateTableCommand({
        TableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
      }),
    );
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName }));
    expect(Table?.LatestStreamArn).toMatch(/^arn:aws:dynamodb:/);
  });

  it('the SQS server round-trips a message', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('smoke') }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'hello' }));
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
    expect(Messages?.[0]?.Body).toBe('hello');
  });
});
