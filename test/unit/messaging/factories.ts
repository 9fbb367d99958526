import { randomUUID } from 'node:crypto';
import { marshall } from '@aws-sdk/util-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord, SQSRecord } from 'aws-lambda';
import { buildEvent } from '../../../lambdas/shared/registry/index.js';
import { outboxItem } from '../../../lambdas/shared/messaging/outboxItem.js';

/** A valid TaskSolved v0 (hiring -> bonus). */
export function taskSolved(overrides: { eventId?: string; producedAt?: Date; managerUid?: string } = {}) {
  return buildEvent(
    'TaskSolved',
    '0',
    {
      task_uid: randomUUID(),
      task_manager_uid: overrides.managerUid ?? randomUUID(),
      candidate_uid: randomUUID(),
      solved_at: '2026-11-24T10:00:00.000Z',
    },
    { producer: 'hiring', correlationId: randomUUID(), eventId: overrides.eventId, producedAt: overrides.producedAt },
  );
}

/** A valid ManagerUpdated v1 (tasks -> bonus, hiring), a CUD stream with a version. */
export function managerUpdated(version: number, managerUid: string = randomUUID()) {
  return buildEvent(
    'ManagerUpdated',
    '1',
    { manager_uid: managerUid, login: `login-v${version}`, payout_account: 'ACC-1', version },
    { producer: 'tasks' },
  );
}

/** The EventBridge event an SQS rule target delivers (`detail` = the envelope). */
export function eventBridgeEvent(detail: unknown, detailType = 'TaskSolved', source = 'hiring-events.hiring') {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': detailType,
    source,
    account: '111111111111',
    time: '2026-11-24T10:00:00Z',
    region: 'eu-west-1',
    resources: [],
    detail,
  };
}

export interface SqsRecordOptions {
  messageId?: string;
  parkedAttempt?: number;
  receiveCount?: number;
}

/** An SQS record whose body is `body` as is (string) or an EventBridge event around `body`. */
export function sqsRecord(body: unknown, options: SqsRecordOptions = {}): SQSRecord {
  return {
    messageId: options.messageId ?? randomUUID(),
    receiptHandle: `rh-${randomUUID()}`,
    body: typeof body === 'string' ? body : JSON.stringify(eventBridgeEvent(body)),
    attributes: {
      ApproximateReceiveCount: String(options.receiveCount ?? 1),
      SentTimestamp: '1764000000000',
      SenderId: 'AIDA',
      ApproximateFirstReceiveTimestamp: '1764000000000',
    },
    messageAttributes:
      options.parkedAttempt === undefined
        ? {}
        : { 'parked-attempt': { stringValue: String(options.parkedAttempt), dataType: 'Number', stringListValues: [], binaryListValues: [] } },
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-west-1:111111111111:bonus-task-solved',
    awsRegion: 'eu-west-1',
  };
}

/** A stream INSERT record of the outbox row of `event`, as Lambda hands it over. */
export function outboxStreamRecord(event: Parameters<typeof outboxItem>[0], sequenceNumber: string): DynamoDBRecord {
  const item = outboxItem(event);
  return {
    eventID: randomUUID(),
    eventName: 'INSERT',
    eventSource: 'aws:dynamodb',
    awsRegion: 'eu-west-1',
    dynamodb: {
      Keys: marshall({ pk: item.pk, sk: item.sk }) as never,
      NewImage: marshall(item, { removeUndefinedValues: true }) as never,
      SequenceNumber: sequenceNumber,
      SizeBytes: 512,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}

/** The error DynamoDB answers a cancelled transaction with; `codes[i]` belongs to item `i`. */
export function transactionCanceled(codes: string[]): TransactionCanceledException {
  return new TransactionCanceledException({
    message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(', ')}]`,
    $metadata: { httpStatusCode: 400 },
    CancellationReasons: codes.map((Code) => ({ Code })),
  });
}

/** An SDK-style service error (has `$metadata`, like every AWS error). */
export function awsError(name: string, fault: 'client' | 'server' = 'client'): Error {
  return Object.assign(new Error(`${name} from AWS`), { name, $fault: fault, $metadata: { httpStatusCode: fault === 'client' ? 400 : 500 } });
}
