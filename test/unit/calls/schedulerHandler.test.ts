import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';

// Stubbed per test (vitest's unstubEnvs restores the environment after each one).
beforeEach(() => {
  vi.stubEnv('DEFERRED_CALLS_QUEUE_URL', 'https://sqs.local/000000000000/deferred');
  vi.stubEnv('DEFER_DELAY_SECONDS', '45');
});
const { handler } = await import('../../../lambdas/shared/calls/schedulerHandler.js');

const sqs = mockClient(SQSClient);

function callInsert(callId: string, sequenceNumber: string): DynamoDBRecord {
  return {
    eventName: 'INSERT',
    dynamodb: {
      SequenceNumber: sequenceNumber,
      // The stream hands over marshalled images; aws-lambda's AttributeValue type mirrors the SDK's.
      NewImage: marshall({ pk: `CALL#${callId}`, sk: 'CALL', item_type: 'call' }) as NonNullable<DynamoDBRecord['dynamodb']>['NewImage'],
    },
  };
}

describe('deferred-calls scheduler', () => {
  beforeEach(() => sqs.reset());

  it('queues every pending call with the configured delay, ten per batch', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const records = Array.from({ length: 12 }, (_, i) => callInsert(`c${i}`, String(100 + i)));
    expect(await handler({ Records: records })).toEqual({ batchItemFailures: [] });
    const batches = sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input.Entries!);
    expect(batches.map((b) => b.length)).toEqual([10, 2]);
    expect(batches[0]![0]).toMatchObject({ MessageBody: JSON.stringify({ pk: 'CALL#c0' }), DelaySeconds: 45 });
  });

  it('reports the first failed entry so the stream retries from there and skips nothing', async () => {
    sqs.on(SendMessageBatchCommand).resolves({
      Successful: [{ Id: '0', MessageId: 'm', MD5OfMessageBody: '' }],
      Failed: [
        { Id: '3', Code: 'InternalError', SenderFault: false },
        { Id: '1', Code: 'InternalError', SenderFault: false },
      ],
    });
    const records = Array.from({ length: 4 }, (_, i) => callInsert(`c${i}`, String(200 + i)));
    expect(await handler({ Records: records })).toEqual({ batchItemFailures: [{ itemIdentifier: '201' }] });
  });

  it('fails from the start of the chunk when the send itself throws', async () => {
    sqs.on(SendMessageBatchCommand).resolvesOnce({ Successful: [], Failed: [] }).rejectsOnce(new Error('network down'));
    const records = Array.from({ length: 13 }, (_, i) => callInsert(`c${i}`, String(300 + i)));
    expect(await handler({ Records: records })).toEqual({ batchItemFailures: [{ itemIdentifier: '310' }] });
  });
});
