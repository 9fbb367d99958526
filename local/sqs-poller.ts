/**
 * SQS event source mapping (`AWS::Lambda::EventSourceMapping` on a queue), as Lambda runs it:
 * - batches of up to `BatchSize` messages, gathered for up to `MaximumBatchingWindowInSeconds`;
 * - up to `ScalingConfig.MaximumConcurrency` concurrent pollers/invocations (default 5), scaled with
 *   the traffic: one long poll while the queue is empty, one more poller for each batch received
 *   while below the maximum, back to one as polls come back empty;
 * - success: the whole batch is deleted; an invocation error (throw, timeout, crash): nothing is
 *   deleted, the messages come back after the queue's visibility timeout, and the queue's
 *   RedrivePolicy (applied by the SQS server) moves them to the DLQ after `maxReceiveCount`;
 * - `FunctionResponseTypes: [ReportBatchItemFailures]`: only the returned `itemIdentifier`s stay
 *   on the queue, the rest is deleted; an invalid response counts as a failure of the whole batch;
 * - `FilterCriteria`: a message matching no filter is deleted without invoking (the body is
 *   matched as JSON when it parses, as Lambda does).
 */
import { setMaxListeners } from 'node:events';
import { ChangeMessageVisibilityBatchCommand, DeleteMessageBatchCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import { LOCAL_REGION } from './assembly.js';
import type { EventMatcher } from './event-pattern.js';
import { bodyLabel, type TraceStep } from './trace.js';

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
  /** Chaos hooks (duplicated, reordered, delayed deliveries; faster retries). Default: none. */
  readonly delivery?: SqsDeliveryHooks;
  /** The queue's `VisibilityTimeout` (for `delivery.retryVisibilitySeconds` as a function). Default 30. */
  readonly queueVisibilitySeconds?: number;
  /** Follows each message: received (with its receive count), deleted, or left on the queue. Default: off. */
  readonly trace?: (step: TraceStep) => void;
}

/** One invocation planned from a received batch. */
export interface SqsDelivery {
  readonly records: readonly SqsRecord[];
  /** Wait before invoking. Default 0. */
  readonly delayMs?: number;
}

/**
 * Chaos hooks of a poller. `plan` turns each received batch into the invocations to make: it may
 * split, shuffle, delay and duplicate records, and add copies of records received EARLIER (they
 * are ghosts: delivered again, but their outcome deletes nothing). A received message is deleted
 * once one delivery of it succeeded; one that no delivery succeeded for stays on the queue.
 */
export interface SqsDeliveryHooks {
  plan?(pollerKey: string, records: SqsRecord[]): SqsDelivery[];
  /**
   * Visibility timeout (seconds) given to messages left on the queue after a failed invocation or
   * a batch item failure, instead of waiting for the queue's own (time compression for long runs):
   * a number, or a function of the queue's `VisibilityTimeout` (e.g. `(v) => Math.ceil(v / 60)`).
   */
  readonly retryVisibilitySeconds?: number | ((queueVisibilitySeconds: number) => number);
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
  private readonly loops = new Set<Promise<void>>();
  /** Loops alive, counted synchronously: two loops seeing an empty poll at once must not both stop. */
  private pollers = 0;

  private processing = 0;

  constructor(readonly options: SqsPollerOptions) {}

  /** Pollers at most: concurrent long polls, and so concurrent invocations. */
  private get maxPollers(): number {
    return Math.max(1, this.options.maxConcurrency ?? 5);
  }

  start(): this {
    // Every loop waits on the one stop signal (its long poll, its planned delays): up to a few
    // listeners a loop, by design, above Node's leak warning at 10.
    setMaxListeners(4 * this.maxPollers, this.abort.signal);
    this.addPoller();
    return this;
  }

  /**
   * One more poller. An idle mapping holds a single long poll: every poller of every mapping polling
   * an empty queue once a second (the local long poll, see `receiveBatch`) was most of an idle
   * runtime's CPU. Lambda, too, adds pollers as batches keep coming and removes them as the queue
   * empties.
   */
  private addPoller(): void {
    this.pollers += 1;
    const loop: Promise<void> = this.loop().finally(() => this.loops.delete(loop));
    this.loops.add(loop);
  }

  async stop(): Promise<void> {
    this.abort.abort();
    while (this.loops.size) await Promise.all([...this.loops]);
  }

  private get running(): boolean {
    return !this.abort.signal.aborted;
  }

  /** Pollers running (each in a long poll or on a batch): one while the queue is empty. */
  get pollerCount(): number {
    return this.pollers;
  }

  /** Received batches not settled yet (invoking, waiting for a planned delay, deleting). */
  get inFlight(): number {
    return this.processing;
  }

  private report(message: string): void {
    (this.options.onError ?? ((m: string) => process.stderr.write(`[local sqs poller] ${m}\n`)))(`${this.options.key}: ${message}`);
  }

  private async loop(): Promise<void> {
    try {
      while (this.running) {
        try {
          const messages = await this.receiveBatch();
          if (!messages.length && this.pollers > 1) return;
          if (messages.length && this.running) {
            if (this.pollers < this.maxPollers) this.addPoller();
            this.processing += 1;
            try {
              await this.process(messages);
            } finally {
              this.processing -= 1;
            }
          }
        } catch (error) {
          if (!this.running) return;
          this.report(`poll failed: ${(error as Error).message}`);
          await sleep(500, this.abort.signal);
        }
      }
    } finally {
      this.pollers -= 1;
    }
  }

  private async receiveBatch(): Promise<Message[]> {
    const batchSize = this.options.batchSize ?? 10;
    const windowMs = (this.options.maxBatchingWindowSeconds ?? 0) * 1000;
    const deadline = Date.now() + windowMs;
    const batch: Message[] = [];
    while (this.running && batch.length < batchSize) {
      if (batch.length > 0 && Date.now() >= deadline) break;
      // Long polls of 1 s, not Lambda's 20: a poll cut short by a stop or reload stays a waiter inside
      // fauxqs until its wait ends, and a message arriving meanwhile is received by it and lost from
      // sight until its visibility timeout; 1 s keeps that window small.
      const wait = batch.length === 0 ? 1 : Math.min(1, Math.ceil((deadline - Date.now()) / 1000));
      const { Messages = [], $metadata } = await this.options.sqs.send(
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
      if (($metadata.attempts ?? 1) > 1) this.options.trace?.({ kind: 'receive-retried', mapping: this.options.key, attempts: $metadata.attempts ?? 1 });
      batch.push(...Messages);
      // An empty poll ends the call: the loop decides whether this poller keeps polling.
      if (batch.length === 0 || windowMs === 0) break;
    }
    return batch;
  }

  private async process(messages: Message[]): Promise<void> {
    const { queueArn, filters, trace } = this.options;
    let records = messages.map((m) => toSqsRecord(m, queueArn));
    trace?.({
      kind: 'received',
      mapping: this.options.key,
      messages: records.map((r) => ({ messageId: r.messageId, receiveCount: r.attributes.ApproximateReceiveCount ?? '?', event: bodyLabel(r.body) })),
    });
    if (filters?.length) {
      const dropped = records.filter((r) => !filters.some((f) => f(filterView(r))));
      records = records.filter((r) => !dropped.includes(r));
      if (dropped.length) trace?.({ kind: 'filtered', mapping: this.options.key, messageIds: dropped.map((r) => r.messageId) });
      await this.delete(dropped);
    }
    if (!records.length) return;
    const plan = this.options.delivery?.plan;
    if (plan) return this.processPlanned(records, plan(this.options.key, records));
    let result: unknown;
    try {
      result = await this.options.invoke(this.options.functionId, { Records: records });
    } catch (error) {
      this.report(`invocation failed, ${records.length} message(s) return to the queue after the visibility timeout: ${(error as Error).message}`);
      await this.retrySoon(records);
      return;
    }
    const failed = this.failedIds(records, result);
    if (failed === 'all') {
      await this.retrySoon(records);
      return;
    }
    await this.delete(records.filter((r) => !failed.has(r.messageId)));
    await this.retrySoon(records.filter((r) => failed.has(r.messageId)));
  }

  /** The message ids a successful invocation's answer leaves on the queue, or `all` for an invalid answer. */
  private failedIds(records: readonly SqsRecord[], result: unknown): Set<string> | 'all' {
    if (!this.options.reportBatchItemFailures) return new Set();
    const failures = (result as { batchItemFailures?: Array<{ itemIdentifier?: unknown }> } | null)?.batchItemFailures;
    if (failures === undefined || failures === null) return new Set();
    const ids = new Set(records.map((r) => r.messageId));
    if (!Array.isArray(failures) || failures.some((f) => typeof f?.itemIdentifier !== 'string' || !ids.has(f.itemIdentifier))) {
      this.report('invalid batchItemFailures response: the whole batch counts as failed');
      return 'all';
    }
    return new Set(failures.map((f) => f.itemIdentifier as string));
  }

  /** Runs the planned deliveries (concurrently, each after its delay); deletes what succeeded at least once. */
  private async processPlanned(received: SqsRecord[], deliveries: SqsDelivery[]): Promise<void> {
    const owned = new Map(received.map((r) => [r.receiptHandle, r]));
    const succeeded = new Set<string>();
    await Promise.all(
      deliveries.map(async ({ records, delayMs }) => {
        if (!records.length) return;
        if (delayMs) await sleep(delayMs, this.abort.signal);
        if (!this.running) return;
        let failed: Set<string> | 'all';
        try {
          failed = this.failedIds(records, await this.options.invoke(this.options.functionId, { Records: records }));
        } catch (error) {
          this.report(`invocation failed for ${records.length} message(s): ${(error as Error).message}`);
          return;
        }
        if (failed === 'all') return;
        for (const r of records) if (owned.has(r.receiptHandle) && !failed.has(r.messageId)) succeeded.add(r.receiptHandle);
      }),
    );
    const done = received.filter((r) => succeeded.has(r.receiptHandle));
    await this.delete(done);
    await this.retrySoon(received.filter((r) => !succeeded.has(r.receiptHandle)));
  }

  /** With `retryVisibilitySeconds`, makes messages left on the queue visible again that soon. */
  private async retrySoon(records: readonly SqsRecord[]): Promise<void> {
    if (records.length) this.options.trace?.({ kind: 'left', mapping: this.options.key, messageIds: records.map((r) => r.messageId) });
    const hook = this.options.delivery?.retryVisibilitySeconds;
    const seconds = typeof hook === 'function' ? Math.max(0, Math.round(hook(this.options.queueVisibilitySeconds ?? 30))) : hook;
    if (seconds === undefined || !records.length || !this.running) return;
    for (let i = 0; i < records.length; i += 10) {
      const chunk = records.slice(i, i + 10);
      await this.options.sqs
        .send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: this.options.queueUrl,
            Entries: chunk.map((r, j) => ({ Id: String(j), ReceiptHandle: r.receiptHandle, VisibilityTimeout: seconds })),
          }),
        )
        .catch((error: Error) => this.report(`could not shorten the visibility of ${chunk.length} message(s): ${error.message}`));
    }
  }

  private async delete(records: readonly SqsRecord[]): Promise<void> {
    if (records.length) this.options.trace?.({ kind: 'deleted', mapping: this.options.key, messageIds: records.map((r) => r.messageId) });
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
