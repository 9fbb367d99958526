import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../../local/net.js';
import { SqsPoller } from '../../../local/sqs-poller.js';
import { localClients, uniqueName } from '../../support/aws.js';

const { sqs } = localClients();

/** Long polls (ReceiveMessage) in flight on this client, and the most seen at once. */
const receives = { inFlight: 0, max: 0, done: 0 };
sqs.middlewareStack.add(
  (next, context) => async (args) => {
    if (context.commandName !== 'ReceiveMessageCommand') return next(args);
    receives.inFlight += 1;
    receives.max = Math.max(receives.max, receives.inFlight);
    try {
      return await next(args);
    } finally {
      receives.inFlight -= 1;
      receives.done += 1;
    }
  },
  { step: 'initialize', name: 'countReceives' },
);

let poller: SqsPoller | undefined;
afterEach(async () => {
  await poller?.stop();
  poller = undefined;
});

describe('SqsPoller (an SQS event source mapping on the local runtime)', () => {
  it('holds one long poll while the queue is empty, scales up to MaximumConcurrency while batches come, and back to one when it empties', async () => {
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('poller') }))).QueueUrl!;
    const invocations = { running: 0, max: 0, records: 0 };
    poller = new SqsPoller({
      key: 'S/Mapping',
      queueUrl,
      queueArn: 'arn:aws:sqs:us-east-1:000000000000:poller',
      functionId: 'S/Fn',
      batchSize: 1,
      maxConcurrency: 3,
      sqs,
      invoke: async (_id, event) => {
        invocations.running += 1;
        invocations.max = Math.max(invocations.max, invocations.running);
        await new Promise((done) => setTimeout(done, 300));
        invocations.running -= 1;
        invocations.records += (event as { Records: unknown[] }).Records.length;
        return null;
      },
    }).start();

    // Idle: three long polls one after the other, never two at once.
    await waitFor(() => receives.done >= 3, { timeoutMs: 60_000, what: 'three idle long polls' });
    expect(receives.max).toBe(1);
    expect(poller.pollerCount).toBe(1);

    await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: Array.from({ length: 10 }, (_, i) => ({ Id: String(i), MessageBody: `m${i}` })) }));
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: Array.from({ length: 5 }, (_, i) => ({ Id: String(i), MessageBody: `n${i}` })) }));
    await waitFor(() => invocations.records === 15, { timeoutMs: 60_000, what: 'the 15 messages processed' });
    // Batches kept coming: as many invocations at once as the mapping allows, never more.
    expect(invocations.max).toBe(3);

    // Empty again: the extra pollers stop after an empty poll; every message was deleted.
    await waitFor(() => poller!.pollerCount === 1, { timeoutMs: 60_000, what: 'the mapping back to one poller' });
    const { Attributes = {} } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
    expect(Attributes).toEqual({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' });
    await poller.stop();
    expect(poller.pollerCount).toBe(0);
    // A ceiling above the test's three waits, not a budget (about 5 s on an idle 2-core machine).
  }, 240_000);
});
