import { randomUUID } from 'node:crypto';
import { DeleteMessageCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { expect } from 'vitest';
import { eventSource } from '../../../lambdas/shared/messaging/constants.js';
import type { ServiceName } from '../../../lambdas/shared/registry/index.js';
import { waitFor } from '../../../local/net.js';
import type { LooseJsonObject } from '../../../local/looseJson.js';

/** The envelope of an outbox row (`event`), as the publisher puts it on the bus as `detail`. */
export interface Envelope {
  readonly event_id: string;
  readonly event_name: string;
  readonly event_version: string;
  readonly producer: ServiceName;
  readonly produced_at: string;
  readonly payload: LooseJsonObject;
  readonly [key: string]: unknown;
}

/** One EventBridge rule -> SQS queue -> consumer subscription (the EventConsumer constructs of ServicesStack). */
export interface Subscription {
  readonly consumer: ServiceName;
  readonly producer: ServiceName;
  readonly event: string;
  readonly version: string;
}

export const SUBSCRIPTIONS: readonly Subscription[] = [
  { consumer: 'tasks', producer: 'hiring', event: 'NewCandidate', version: '0' },
  { consumer: 'tasks', producer: 'hiring', event: 'TaskUpdateRequested', version: '0' },
  { consumer: 'hiring', producer: 'tasks', event: 'ManagerUpdated', version: '1' },
  { consumer: 'bonus', producer: 'tasks', event: 'ManagerUpdated', version: '1' },
  { consumer: 'bonus', producer: 'tasks', event: 'TaskCreated', version: '1' },
  { consumer: 'bonus', producer: 'hiring', event: 'TaskSolved', version: '0' },
];

/** A consumer Lambda and its real queues on the SQS server. */
export interface ConsumerEndpoint {
  readonly handler: (event: SQSEvent) => Promise<SQSBatchResponse>;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly deadLetterQueueUrl: string;
}

export interface BusOptions {
  readonly doc: DynamoDBDocumentClient;
  readonly sqs: SQSClient;
  /** Producer tables whose outbox rows are published. */
  readonly producers: Partial<Record<ServiceName, string>>;
  readonly consumers: Partial<Record<ServiceName, ConsumerEndpoint>>;
  readonly account?: string;
  readonly region?: string;
}

/** What one delivery did. */
export interface Delivery {
  readonly consumer: ServiceName;
  readonly envelope: Envelope;
}

/**
 * The event path in process: outbox rows of the producer tables (what the stream publisher puts on
 * EventBridge) -> the rules of {@link SUBSCRIPTIONS} -> SQS records whose body is the EventBridge
 * event -> the consumer handlers. Each event id is published once by `pump` (remembered), like the
 * stream does; `deliver` redelivers on purpose (at-least-once). Every delivery must end without a
 * batch item failure (a transient failure would be a bug in these flows).
 */
export class InProcessBus {
  private readonly published = new Map<string, Envelope>();
  private readonly account: string;
  private readonly region: string;

  constructor(private readonly options: BusOptions) {
    this.account = options.account ?? '000000000000';
    this.region = options.region ?? 'us-east-1';
  }

  /** Every envelope published so far, optionally of one event name. */
  events(eventName?: string): Envelope[] {
    return [...this.published.values()].filter((e) => eventName === undefined || e.event_name === eventName);
  }

  /**
   * Publishes the outbox rows not published yet (per producer in `produced_at` order), each to
   * its subscribers one record at a time, until no new row appears. Returns the deliveries made.
   */
  async pump(): Promise<Delivery[]> {
    const deliveries: Delivery[] = [];
    for (let round = 0; round < 10; round += 1) {
      const fresh = await this.unpublished();
      if (fresh.length === 0) return deliveries;
      for (const envelope of fresh) {
        this.published.set(envelope.event_id, envelope);
        deliveries.push(...(await this.deliver(envelope)));
      }
    }
    throw new Error('the bus kept finding new outbox rows after 10 rounds');
  }

  /** Delivers `envelope` to each consumer whose rule matches it (a new SQS message each time). */
  async deliver(envelope: Envelope): Promise<Delivery[]> {
    const deliveries: Delivery[] = [];
    for (const sub of SUBSCRIPTIONS) {
      if (sub.producer !== envelope.producer || sub.event !== envelope.event_name || sub.version !== envelope.event_version) continue;
      const endpoint = this.options.consumers[sub.consumer];
      if (!endpoint) continue;
      await this.feed(sub.consumer, endpoint, [this.sqsRecord(envelope, endpoint.queueArn)]);
      deliveries.push({ consumer: sub.consumer, envelope });
    }
    return deliveries;
  }

  /**
   * Waits for the parked (re-sent, delayed) messages on `consumer`'s own queue and feeds them to the
   * consumer as the event source mapping would: at least `count` of them, each deleted after success.
   */
  async deliverParked(consumer: ServiceName, count = 1, timeoutMs = 10_000): Promise<Message[]> {
    const endpoint = this.endpoint(consumer);
    const received: Message[] = [];
    const deadline = Date.now() + timeoutMs;
    while (received.length < count) {
      // Only the receive is polled: a failing delivery must fail the test, not be retried silently.
      const messages = await waitFor(
        async () => {
          const { Messages } = await this.options.sqs.send(
            new ReceiveMessageCommand({
              QueueUrl: endpoint.queueUrl,
              MaxNumberOfMessages: 10,
              WaitTimeSeconds: 1,
              MessageAttributeNames: ['All'],
              MessageSystemAttributeNames: ['All'],
            }),
          );
          return Messages?.length ? Messages : undefined;
        },
        { timeoutMs: Math.max(0, deadline - Date.now()), intervalMs: 0, what: `${count} parked message(s) on the ${consumer} queue` },
      );
      for (const message of messages) {
        await this.feed(consumer, endpoint, [toSqsRecord(message, endpoint.queueArn, this.region)]);
        await this.options.sqs.send(new DeleteMessageCommand({ QueueUrl: endpoint.queueUrl, ReceiptHandle: message.ReceiptHandle }));
        received.push(message);
      }
    }
    return received;
  }

  /** Messages waiting on `consumer`'s queue or DLQ right now (received, then left to reappear). */
  async peek(consumer: ServiceName, which: 'queue' | 'dlq', waitSeconds = 0): Promise<Message[]> {
    const endpoint = this.endpoint(consumer);
    const { Messages = [] } = await this.options.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: which === 'queue' ? endpoint.queueUrl : endpoint.deadLetterQueueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: waitSeconds,
        VisibilityTimeout: 0,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    return Messages;
  }

  private endpoint(consumer: ServiceName): ConsumerEndpoint {
    const endpoint = this.options.consumers[consumer];
    if (!endpoint) throw new Error(`no consumer ${consumer} on the bus`);
    return endpoint;
  }

  private async feed(consumer: ServiceName, endpoint: ConsumerEndpoint, records: SQSRecord[]): Promise<void> {
    const response = await endpoint.handler({ Records: records });
    expect(response.batchItemFailures, `batch item failures of the ${consumer} consumer`).toEqual([]);
  }

  private async unpublished(): Promise<Envelope[]> {
    const fresh: Envelope[] = [];
    for (const tableName of Object.values(this.options.producers)) {
      const rows: { gsi1sk: string; event: Envelope }[] = [];
      let ExclusiveStartKey: Record<string, unknown> | undefined;
      do {
        const page = await this.options.doc.send(
          new ScanCommand({
            TableName: tableName,
            ConsistentRead: true,
            FilterExpression: 'item_type = :outbox',
            ExpressionAttributeValues: { ':outbox': 'outbox' },
            ExclusiveStartKey,
          }),
        );
        rows.push(...((page.Items ?? []) as typeof rows));
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey);
      rows.sort((a, b) => a.gsi1sk.localeCompare(b.gsi1sk));
      fresh.push(...rows.map((row) => row.event).filter((event) => !this.published.has(event.event_id)));
    }
    return fresh;
  }

  /** The SQS record an EventBridge rule target produces for `envelope`. */
  private sqsRecord(envelope: Envelope, queueArn: string): SQSRecord {
    const body = {
      version: '0',
      id: randomUUID(),
      'detail-type': envelope.event_name,
      source: eventSource(envelope.producer),
      account: this.account,
      time: new Date().toISOString(),
      region: this.region,
      resources: [],
      detail: envelope,
    };
    return {
      messageId: randomUUID(),
      receiptHandle: `in-process-${randomUUID()}`,
      body: JSON.stringify(body),
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: String(Date.now()),
        SenderId: 'events.amazonaws.com',
        ApproximateFirstReceiveTimestamp: String(Date.now()),
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: queueArn,
      awsRegion: this.region,
    };
  }
}

/** A message received from the SQS server, as the SQS event source hands it to Lambda. */
export function toSqsRecord(message: Message, queueArn: string, region = 'us-east-1'): SQSRecord {
  const messageAttributes = Object.fromEntries(
    Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
      name,
      { stringValue: value.StringValue, dataType: value.DataType!, stringListValues: [], binaryListValues: [] },
    ]),
  );
  return {
    messageId: message.MessageId!,
    receiptHandle: message.ReceiptHandle!,
    body: message.Body!,
    attributes: {
      ApproximateReceiveCount: message.Attributes?.ApproximateReceiveCount ?? '1',
      SentTimestamp: message.Attributes?.SentTimestamp ?? String(Date.now()),
      SenderId: message.Attributes?.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: message.Attributes?.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes,
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}
