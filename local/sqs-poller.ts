/**
 * SQS event source mapping (`AWS::Lambda::EventSourceMapping` on a queue), as Lambda runs it:
 * - batches of up to `BatchSize` messages, gathered for up to `MaximumBatchingWindowInSeconds`;
 * - `ScalingConfig.MaximumConcurrency` concurrent pollers/invocations (default 5);
 * - success: the whole batch is deleted; an invocation error (throw, timeout, crash): nothing is
 *   deleted, the messages come back after the queue's visibility timeout, and the queue's
 *   RedrivePolicy (applied by the SQS server) moves them to the DLQ after `maxReceiveCount`;
 * - `FunctionResponseTypes: [ReportBatchItemFailures]`: only the returned `itemIdentifier`s stay
 *   on the queue, the rest is deleted; an invalid response counts as a failure of the whole batch;
 * - `FilterCriteria`: a message matching no filter is deleted without invoking (the body is
 *   matched as JSON when it parses, as Lambda does).
 */
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import { LOCAL_REGION } from './assembly.js';
import type { EventMatcher } from './event-pattern.js';

export interface SqsPollerOptions {
  readonly key: string;
  readonly queueUrl: string;
  readonly queueArn: string;
  /** Id passed to `invoke` (the function's resource key). */
  readonly functionId: string;
  readonly batchSize?: number;
  readonly maxBatchingWindowSeconds?: number;
  readonly reportBatchItemFailures?: boolean;
  readonly maxConcurrency?: number;
  readonly filters?: readonly EventMatcher[];
  readonly sqs: SQSClient;
  readonly invoke: (functionId: string, event: unknown) => Promise<unknown>;
  readonly onError?: (message: string) => void;
}

export interface SqsRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: Record<string, string>;
  messageAttributes: Record<string, { stringValue?: string; binaryValue?: string; stringListValues: string[]; binaryListValues: string[]; dataType: string }>;
  md5OfBody: string;
  eventSource: 'aws:sqs';
  eventSourceARN: string;
  awsRegion: string;
}

export function toSqsRecord(message: Message, queueArn: string): SqsRecord {
  const messageAttributes: SqsRecord['messageAttributes'] = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    messageAttributes[name] = {
      stringValue: value.StringValue,
      binaryValue: value.BinaryValue ? Buffer.from(value.BinaryValue).toString('base64') : undefined,
      stringListValues: value.StringListValues ?? [],
      binaryListValues: (value.BinaryListValues ?? []).map((b) => Buffer.from(b).toString('base64')),
      dataType: value.DataType ?? 'String',
    };
  }
  return {
    messageId: message.MessageId!,
    receiptHandle: message.ReceiptHandle!,
    body: message.Body ?? '',
    attributes: { ...(message.Attributes ?? {}) } as Record<string, string>,
    messageAttributes,
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: LOCAL_REGION,
  };
}

function filterView(record: SqsRecord): unknown {
  let body: unknown = record.body;
  try {
    body = JSON.parse(record.body);
  } catch {
    // plain text body: matched as a string
  }
  return { ...record, body };
}

export class SqsPoller {
  private readonly abort = new AbortController();
  private loops: Promise<void>[] = [];

  constructor(readonly options: SqsPollerOptions) {}

  start(): this {
    const n = Math.max(1, this.options.maxConcurrency ?? 5);
    for (let i = 0; i < n; i++) this.loops.push(this.loop());
    return this;
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.all(this.loops);
    this.loops = [];
  }

  private get running(): boolean {
    return !this.abort.signal.aborted;
  }

  private report(message: string): void {
    (this.options.onError ?? ((m: string) => process.stderr.write(`[local sqs poller] ${m}\n`)))(`${this.options.key}: ${message}`);
  }

  private async loop(): Promise<void> {
    while (this.running) {
      try {
        const messages = await this.receiveBatch();
        if (messages.length && this.running) await this.process(messages);
      } catch (error) {
        if (!this.running) return;
        this.report(`poll failed: ${(error as Error).message}`);
        await sleep(500, this.abort.signal);
      }
    }
  }

  private async receiveBatch(): Promise<Message[]> {
    const batchSize = this.options.batchSize ?? 10;
    const windowMs = (this.options.maxBatchingWindowSeconds ?? 0) * 1000;
    const deadline = Date.now() + windowMs;
    const batch: Message[] = [];
    while (this.running && batch.length < batchSize) {
      if (batch.length > 0 && Date.now() >= deadline) break;
      const wait = batch.length === 0 ? 1 : Math.min(1, Math.ceil((deadline - Date.now()) / 1000));
      const { Messages = [] } = await this.options.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: this.options.queueUrl,
          MaxNumberOfMessages: Math.min(10, batchSize - batch.length),
          WaitTimeSeconds: wait,
          AttributeNames: ['All'],
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
        { abortSignal: this.abort.signal },
      );
      batch.push(...Messages);
      if (batch.length > 0 && windowMs === 0) break;
    }
    return batch;
  }

  private async process(messages: Message[]): Promise<void> {
    const { queueArn, filters } = this.options;
    let records = messages.map((m) => toSqsRecord(m, queueArn));
    if (filters?.length) {
      const dropped = records.filter((r) => !filters.some((f) => f(filterView(r))));
      records = records.filter((r) => !dropped.includes(r));
      await this.delete(dropped);
    }
    if (!records.length) return;
    let result: unknown;
    try {
      result = await this.options.invoke(this.options.functionId, { Records: records });
    } catch (error) {
      this.report(`invocation failed, ${records.length} message(s) return to the queue after the visibility timeout: ${(error as Error).message}`);
      return;
    }
    if (this.options.reportBatchItemFailures) {
      const failures = (result as { batchItemFailures?: Array<{ itemIdentifier?: unknown }> } | null)?.batchItemFailures;
      if (failures !== undefined && failures !== null) {
        const ids = new Set(records.map((r) => r.messageId));
        if (!Array.isArray(failures) || failures.some((f) => typeof f?.itemIdentifier !== 'string' || !ids.has(f.itemIdentifier))) {
          this.report('invalid batchItemFailures response: the whole batch counts as failed');
          return;
        }
        const failed = new Set(failures.map((f) => f.itemIdentifier as string));
        await this.delete(records.filter((r) => !failed.has(r.messageId)));
        return;
      }
    }
    await this.delete(records);
  }

  private async delete(records: SqsRecord[]): Promise<void> {
    for (let i = 0; i < records.length; i += 10) {
      const chunk = records.slice(i, i + 10);
      await this.options.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.options.queueUrl,
          Entries: chunk.map((r, j) => ({ Id: String(j), ReceiptHandle: r.receiptHandle })),
        }),
      );
    }
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
