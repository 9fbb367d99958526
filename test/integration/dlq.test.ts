import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CloudAssembly, Resolver } from '../../local/assembly.js';
import { findDeadLetterQueues, listDeadLetterQueues, pickDeadLetterQueue, redriveDeadLetters, showDeadLetters, type DeadLetterQueue } from '../../local/dlq.js';
import { waitFor } from '../../local/net.js';
import { createQueues } from '../../local/sqs-resources.js';

/** The DLQ tool's logic (`npm run dlq`) on the SQS server of the global setup, over a small synthesized app. */
describe('DLQ list / show / redrive on the local SQS server', () => {
  const stackName = `Dlq${randomUUID().slice(0, 6)}`;
  let assembly: CloudAssembly;
  let client: SQSClient;
  let urls: Map<string, string>;
  const attr = (value: string) => ({ DataType: 'String', StringValue: value });

  beforeAll(async () => {
    const outdir = mkdtempSync(join(tmpdir(), 'dlq-test-cdk-'));
    const app = new App({ outdir });
    const stack = new Stack(app, stackName);
    const workDlq = new sqs.Queue(stack, 'WorkDeadLetterQueue');
    new sqs.Queue(stack, 'Work', { visibilityTimeout: Duration.seconds(30), deadLetterQueue: { queue: workDlq, maxReceiveCount: 1 } });
    new sqs.Queue(stack, 'PublisherFailureQueue');
    new sqs.Queue(stack, 'OutboxUnresolvedQueue');
    new sqs.Queue(stack, 'Results');
    app.synth();
    assembly = CloudAssembly.load(outdir);
    client = new SQSClient({ region: 'us-east-1', endpoint: inject('sqsEndpoint'), credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const queues = await createQueues(assembly, new Resolver(assembly, { sqsEndpoint: inject('sqsEndpoint') }), client);
    urls = new Map([...queues.values()].map((q) => [q.key.split('/')[1]!.replace(/[0-9A-F]{8}$/, ''), q.url]));
  });

  afterAll(() => client?.destroy());

  const dlq = (id: string): DeadLetterQueue => pickDeadLetterQueue(findDeadLetterQueues(assembly), id);
  const depthOf = async (id: string) => (await listDeadLetterQueues(assembly, client)).find((q) => q.id === id)?.depth;

  it('finds the DLQs: RedrivePolicy targets (with their source queue) and failure queues by name, not the others', () => {
    const found = findDeadLetterQueues(assembly);
    expect(found.map((q) => [q.id, q.role])).toEqual([
      ['OutboxUnresolvedQueue', 'by-name'],
      ['PublisherFailureQueue', 'by-name'],
      ['WorkDeadLetterQueue', 'redrive-target'],
    ]);
    expect(found[2]!.sources).toEqual([expect.objectContaining({ key: expect.stringMatching(new RegExp(`^${stackName}/Work[0-9A-F]{8}$`)), name: expect.stringMatching(/-Work[0-9A-F]{8}$/) })]);
    expect(dlq('workdead').id).toBe('WorkDeadLetterQueue');
    expect(() => dlq('Results')).toThrow(/No DLQ Results/);
  });

  it('lists depths, shows failure attributes without consuming, redrives to the source queue and empties the DLQ', async () => {
    const dlqUrl = urls.get('WorkDeadLetterQueue')!;
    const bodies = ['{"id":"a"}', '{"id":"b"}'];
    for (const [i, body] of bodies.entries()) {
      await client.send(
        new SendMessageCommand({
          QueueUrl: dlqUrl,
          MessageBody: body,
          MessageAttributes: { 'failure-kind': attr('poison'), 'failure-reason': attr(`schema: bad ${i}`), 'source-queue': attr('work') },
        }),
      );
    }
    // A message SQS itself moved there after maxReceiveCount (1): received once, not deleted, received again.
    await client.send(new SendMessageCommand({ QueueUrl: urls.get('Work')!, MessageBody: '{"id":"c"}' }));
    await client.send(new ReceiveMessageCommand({ QueueUrl: urls.get('Work')!, VisibilityTimeout: 0, WaitTimeSeconds: 1 }));
    await waitFor(async () => {
      await client.send(new ReceiveMessageCommand({ QueueUrl: urls.get('Work')!, VisibilityTimeout: 0 }));
      return (await depthOf('WorkDeadLetterQueue')) === 3;
    }, { what: 'SQS to move the message over maxReceiveCount to the DLQ' });

    expect(await depthOf('WorkDeadLetterQueue')).toBe(3);
    expect(await depthOf('PublisherFailureQueue')).toBe(0);

    const shown = await showDeadLetters(client, dlq('WorkDeadLetterQueue'));
    expect(shown.map((m) => m.body).sort()).toEqual(['{"id":"a"}', '{"id":"b"}', '{"id":"c"}']);
    expect(shown.find((m) => m.body === '{"id":"a"}')).toMatchObject({ failureKind: 'poison', failureReason: 'schema: bad 0', attributes: { 'source-queue': 'work' } });
    expect(shown.find((m) => m.body === '{"id":"c"}')).toMatchObject({ failureKind: undefined });
    // show only peeks: everything is still there and visible.
    expect(await depthOf('WorkDeadLetterQueue')).toBe(3);
    expect(await showDeadLetters(client, dlq('WorkDeadLetterQueue'))).toHaveLength(3);

    expect(await redriveDeadLetters(client, dlq('WorkDeadLetterQueue'))).toEqual({ from: expect.stringMatching(/WorkDeadLetterQueue/), to: expect.stringMatching(/-Work[0-9A-F]{8}$/), moved: 3 });
    expect(await depthOf('WorkDeadLetterQueue')).toBe(0);

    const back = await waitFor(async () => {
      const { Messages = [] } = await client.send(new ReceiveMessageCommand({ QueueUrl: urls.get('Work')!, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], VisibilityTimeout: 30 }));
      return Messages.length === 3 ? Messages : undefined;
    }, { what: 'the redriven messages on the source queue' });
    expect(back.map((m) => m.Body).sort()).toEqual(['{"id":"a"}', '{"id":"b"}', '{"id":"c"}']);
    // Body and attributes unchanged, as SQS's own redrive does.
    expect(back.find((m) => m.Body === '{"id":"b"}')!.MessageAttributes?.['failure-reason']?.StringValue).toBe('schema: bad 1');
  });

  it('redrives only what was dead-lettered before it started, while a failing consumer sends messages straight back', async () => {
    const dlqUrl = urls.get('WorkDeadLetterQueue')!;
    const workUrl = urls.get('Work')!;
    for (const id of ['p', 'q']) await client.send(new SendMessageCommand({ QueueUrl: dlqUrl, MessageBody: `{"id":"${id}"}`, MessageAttributes: { 'failure-kind': attr('poison') } }));
    await waitFor(async () => (await depthOf('WorkDeadLetterQueue')) === 2, { what: 'two dead letters' });
    // A consumer that dead-letters again everything it gets, between the redrive's batches.
    const failAgain = async () => {
      const { Messages = [] } = await client.send(new ReceiveMessageCommand({ QueueUrl: workUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageAttributeNames: ['All'] }));
      for (const m of Messages) {
        await client.send(new SendMessageCommand({ QueueUrl: dlqUrl, MessageBody: m.Body!, MessageAttributes: m.MessageAttributes }));
        await client.send(new DeleteMessageCommand({ QueueUrl: workUrl, ReceiptHandle: m.ReceiptHandle! }));
      }
    };
    // Would loop up to `max` if it picked up what failed again.
    expect((await redriveDeadLetters(client, dlq('WorkDeadLetterQueue'), { max: 20, afterBatch: failAgain })).moved).toBe(2);
    // Both are back in the DLQ, for the next redrive (after a fix), not moved in a loop.
    expect((await showDeadLetters(client, dlq('WorkDeadLetterQueue'))).map((m) => m.body).sort()).toEqual(['{"id":"p"}', '{"id":"q"}']);
  });

  it('refuses to redrive a failure queue no queue redrives to', async () => {
    await expect(redriveDeadLetters(client, dlq('PublisherFailureQueue'))).rejects.toThrow(/no queue's RedrivePolicy target.*nothing to redrive it to/);
  });
});
