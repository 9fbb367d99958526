import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, inject, it, vi } from 'vitest';
import { SQS_CLIENT_CONFIG } from '../../../lambdas/shared/messaging/sqsClientConfig.js';
import { uniqueName } from '../../support/aws.js';

/**
 * The functions' SQS clients as the local runtime runs them: endpoint from `AWS_ENDPOINT_URL_SQS`,
 * queue URLs as the local SQS server writes them (`http://sqs.us-east-1.127.0.0.1:<port>/...`).
 */
describe('SQS_CLIENT_CONFIG', () => {
  const local = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } as const;
  let warn: ReturnType<typeof vi.spyOn>;
  beforeEach(() => {
    vi.stubEnv('AWS_ENDPOINT_URL_SQS', inject('sqsEndpoint'));
    warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    warn.mockRestore();
  });

  async function sendAndReceive(client: SQSClient): Promise<string | undefined> {
    const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: uniqueName('client-config') }));
    expect(QueueUrl!.startsWith(`${inject('sqsEndpoint')}/`)).toBe(false); // what makes the SDK look at it
    await client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'hello' }));
    const { Messages } = await client.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
    return Messages?.[0]?.Body;
  }

  it('sends to the configured endpoint without the SDK warning about the queue URL', async () => {
    expect(await sendAndReceive(new SQSClient({ ...local, ...SQS_CLIENT_CONFIG }))).toBe('hello');
    expect(warn).not.toHaveBeenCalled();
  });

  it('control: the SDK default warns on every such send', async () => {
    expect(await sendAndReceive(new SQSClient(local))).toBe('hello');
    expect(warn).toHaveBeenCalled();
  });
});
