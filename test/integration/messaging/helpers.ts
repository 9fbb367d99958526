import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import { inject } from 'vitest';

export { createServiceTable } from '../../support/serviceTable.js';

export function streamsClient(): DynamoDBStreamsClient {
  return new DynamoDBStreamsClient({
    region: 'us-east-1',
    endpoint: inject('dynamodbEndpoint'),
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

/** Every record of the (single-shard, test-sized) stream, read with the real GetRecords API. */
export async function readStream(streams: DynamoDBStreamsClient, streamArn: string): Promise<_Record[]> {
  const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
  const records: _Record[] = [];
  for (const shard of StreamDescription?.Shards ?? []) {
    const { ShardIterator } = await streams.send(
      new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }),
    );
    let iterator = ShardIterator;
    // An open shard always returns a next iterator: stop at the first empty page.
    for (let page = 0; iterator && page < 100; page += 1) {
      const response = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
      if (!response.Records?.length) break;
      records.push(...response.Records);
      iterator = response.NextShardIterator;
    }
  }
  return records;
}

/** A stream record as Lambda hands it to the function (the SDK's shape differs in dates and types). */
export function toLambdaRecord(record: _Record): DynamoDBRecord {
  const d = record.dynamodb!;
  return {
    eventID: record.eventID,
    eventName: record.eventName as DynamoDBRecord['eventName'],
    eventSource: 'aws:dynamodb',
    awsRegion: record.awsRegion,
    dynamodb: {
      Keys: d.Keys as never,
      NewImage: d.NewImage as never,
      OldImage: d.OldImage as never,
      SequenceNumber: d.SequenceNumber,
      SizeBytes: d.SizeBytes,
      StreamViewType: d.StreamViewType as never,
      ApproximateCreationDateTime: d.ApproximateCreationDateTime ? d.ApproximateCreationDateTime.getTime() / 1000 : undefined,
    },
  };
}

/** The OutboxPublisher's event-source filter: `eventName = INSERT and NewImage.item_type.S = outbox`. */
export const isOutboxInsert = (record: _Record): boolean =>
  record.eventName === 'INSERT' && record.dynamodb?.NewImage?.item_type?.S === 'outbox';

export { toSqsRecord } from '../support/bus.js';
