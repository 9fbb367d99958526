import { randomUUID } from 'node:crypto';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { buildEvent, type EventOf } from '../../../lambdas/shared/registry/index.js';
import { createBonusApi } from '../../../lambdas/bonus/createBonusApi.js';
import { createBonusConsumer } from '../../../lambdas/bonus/createBonusConsumer.js';
import { localClients, uniqueName } from '../../support/aws.js';
import { apiEvent, type ApiRequest } from '../../integration/support/apiEvent.js';
import { createServiceTable } from '../../integration/support/serviceTable.js';
import { sqsRecord } from '../../unit/messaging/factories.js';

/** The bonus API and consumer on their own table and queues (DynamoDB Local, the local SQS server). */
export async function bonusHarness(perRatingPoint = 100) {
  const { dynamodb, doc, sqs } = localClients();
  const tableName = uniqueName('bonus');
  await createServiceTable(dynamodb, tableName);
  const [queue, dlq] = await Promise.all(
    ['bonus-q', 'bonus-dlq'].map(async (name) => (await sqs.send(new CreateQueueCommand({ QueueName: uniqueName(name) }))).QueueUrl!),
  );
  const api = createBonusApi({ doc, tableName });
  const consumer = createBonusConsumer({
    perRatingPoint,
    clients: { doc, sqs },
    tableName,
    queueUrl: queue,
    deadLetterQueueUrl: dlq,
    parking: { baseDelaySeconds: 0, maxAttempts: 2 },
  });

  const call = async (request: ApiRequest) => {
    const result = await api(apiEvent(request));
    return { status: result.statusCode, body: JSON.parse(result.body) as Record<string, unknown> & { error?: { code: string; field?: string } } };
  };
  const deliver = async (...events: unknown[]) => consumer({ Records: events.map((event) => sqsRecord(event)) });
  /** Feeds a message received from a queue back to the consumer, with its parking attribute. */
  const redeliver = async (message: Message) => {
    const parkedAttempt = message.MessageAttributes?.['parked-attempt']?.StringValue;
    return consumer({ Records: [sqsRecord(message.Body!, { parkedAttempt: parkedAttempt ? Number(parkedAttempt) : undefined })] });
  };
  const depth = async (url: string) => {
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesDelayed'] }),
    );
    return Number(Attributes?.ApproximateNumberOfMessages ?? 0) + Number(Attributes?.ApproximateNumberOfMessagesDelayed ?? 0);
  };
  const receive = async (url: string) =>
    (await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageAttributeNames: ['All'] }))).Messages ?? [];

  return { doc, tableName, call, deliver, redeliver, queue, dlq, depth, receive };
}

export const managerUpdated = (managerUid: string, version: number, payoutAccount = 'DE-0001'): EventOf<'ManagerUpdated', '1'> =>
  buildEvent('ManagerUpdated', '1', { manager_uid: managerUid, login: `mgr${version}`, payout_account: payoutAccount, version }, { producer: 'tasks' });

export const taskSolved = (
  taskUid: string,
  managerUid: string,
  candidateUid: string = randomUUID(),
  solvedAt: string = new Date().toISOString(),
): EventOf<'TaskSolved', '0'> =>
  buildEvent('TaskSolved', '0', { task_uid: taskUid, task_manager_uid: managerUid, candidate_uid: candidateUid, solved_at: solvedAt }, { producer: 'hiring' });

export const ratingRequest = (taskUid: string, rating: number, version = 1, ratedAt: string = new Date().toISOString()): ApiRequest => ({
  method: 'PUT',
  resource: '/internal/tasks/{task_uid}/rating',
  pathParameters: { task_uid: taskUid },
  body: { task_uid: taskUid, rating, version, rated_at: ratedAt },
});

export const balanceOf = (managerUid: string): ApiRequest => ({
  method: 'GET',
  resource: '/managers/{manager_uid}/balance',
  pathParameters: { manager_uid: managerUid },
});

export const ledgerOf = (managerUid: string): ApiRequest => ({
  method: 'GET',
  resource: '/managers/{manager_uid}/ledger',
  pathParameters: { manager_uid: managerUid },
});
