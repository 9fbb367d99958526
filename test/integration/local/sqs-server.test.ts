import { CreateQueueCommand, ReceiveMessageCommand, SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SQS_INVALID_BODY_CHARACTER } from '../../../local/sqs-server.js';

/**
 * The local SQS server takes exactly SQS's message character set (AWS SendMessage reference:
 * #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF): emoji pass (fauxqs alone refuses
 * them), NUL, U+FFFE/U+FFFF and lone surrogates are refused with SQS's InvalidMessageContents.
 * Runs against the server the vitest global setup started, as every other suite uses it.
 */
const accepted = ['\t', '\n', '\r', ' ', '\uD7FF', '\uE000', '\uFFFD', '\u{10000}', '\u{10FFFF}', 'ACC-\u{1F600}', '\u{1F468}\u200D\u{1F469}\u200D\u{1F467}', 'Zo\u00EB \u4E2D\u6587'];
const refused = ['\u0000', '\u0008', '\u000B', '\u001F', '\uFFFE', '\uFFFF', '\uD800', '\uDFFF', 'x\uD83Dy', 'x\uDE00'];

describe('SQS character set', () => {
  it('the check matches the documented ranges at every boundary', () => {
    for (const text of accepted) expect(SQS_INVALID_BODY_CHARACTER.test(text), JSON.stringify(text)).toBe(false);
    for (const text of refused) expect(SQS_INVALID_BODY_CHARACTER.test(text), JSON.stringify(text)).toBe(true);
  });

  describe('on the local SQS server', () => {
    let sqs: SQSClient;
    let queueUrl: string;
    beforeAll(async () => {
      sqs = new SQSClient({ region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, endpoint: inject('sqsEndpoint'), useQueueUrlAsEndpoint: false });
      queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `charset-${Date.now()}` }))).QueueUrl!;
    });
    afterAll(() => sqs?.destroy());

    it('SendMessage accepts what SQS accepts and refuses the rest with InvalidMessageContents', async () => {
      for (const text of accepted) await expect(sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: `[${text}]` })), JSON.stringify(text)).resolves.toBeDefined();
      for (const text of refused) {
        await expect(sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: `[${text}]` })), JSON.stringify(text)).rejects.toMatchObject({ name: expect.stringMatching(/InvalidMessageContents/) });
      }
      const bodies: string[] = [];
      while (bodies.length < accepted.length) {
        const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 60 }));
        if (Messages.length === 0) break;
        bodies.push(...Messages.map((m) => m.Body!));
      }
      expect(bodies.sort()).toEqual(accepted.map((t) => `[${t}]`).sort());
    });

    it('SendMessageBatch fails only the entries with a character outside the set', async () => {
      const answer = await sqs.send(
        new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: [{ Id: 'emoji', MessageBody: '\u{1F600}' }, { Id: 'nul', MessageBody: 'a\u0000' }, { Id: 'ffff', MessageBody: '\uFFFF' }] }),
      );
      expect(answer.Successful?.map((s) => s.Id)).toEqual(['emoji']);
      expect(answer.Failed?.map((f) => [f.Id, f.Code]).sort()).toEqual([['ffff', 'InvalidMessageContents'], ['nul', 'InvalidMessageContents']]);
    });
  });
});
