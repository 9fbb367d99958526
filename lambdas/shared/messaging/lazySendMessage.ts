import type { SendMessageCommandInput, SQSClient } from '@aws-sdk/client-sqs';
import { SQS_CLIENT_CONFIG } from './sqsClientConfig.js';

/** Sends one message to an SQS queue. */
export type SendMessage = (input: SendMessageCommandInput) => Promise<void>;

/**
 * A {@link SendMessage} through `client`, or through a default `SQSClient` made on the first send.
 *
 * `@aws-sdk/client-sqs` is imported on the first send, not when the module loads: the functions
 * using this send only to park or dead-letter a message, a path most invocations never take, and
 * loading the SQS client package at init cost each of their cold starts ~6 ms on a quiet machine,
 * more under load (`npm run bench`).
 *
 * @example
 * ```ts
 * const sendMessage = lazySendMessage();
 * await sendMessage({ QueueUrl: dlqUrl, MessageBody: record.body });
 * ```
 */
export function lazySendMessage(client?: SQSClient): SendMessage {
  let sqs = client;
  let sdk: typeof import('@aws-sdk/client-sqs') | undefined;
  return async (input) => {
    sdk ??= await import('@aws-sdk/client-sqs');
    sqs ??= new sdk.SQSClient(SQS_CLIENT_CONFIG);
    await sqs.send(new sdk.SendMessageCommand(input));
  };
}
