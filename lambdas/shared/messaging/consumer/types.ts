import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { EventName, EventOf, EventVersion } from '../../registry/index.js';
import type { SendMessage } from '../lazySendMessage.js';
import type { TransactWriteItem } from '../types.js';

/**
 * What a handler asks the runtime to write: DynamoDB transaction items, committed together with
 * the processed-event marker. `undefined`/`[]` = nothing to write (then no marker is written
 * either: re-running a handler without effect is harmless, and skipping the marker saves a write;
 * a handler with side effects outside the table must be idempotent on its own).
 */
export type Effect = TransactWriteItem[] | undefined | void;

/** Given to every handler call. */
export interface ConsumerContext {
  /** The consuming service, e.g. `bonus` (part of the processed-marker key). */
  consumer: string;
  /** The service table (env `TABLE_NAME`). */
  tableName: string;
  /** Document client for the reads a handler needs (prerequisites, current state). */
  doc: DynamoDBDocumentClient;
  /** Logger carrying event_id, event_name, event_version, correlation_id. */
  logger: Logger;
  /** How many times this message was parked before (0 on first delivery). */
  parkedAttempt: number;
  /** SQS ApproximateReceiveCount of this delivery. */
  receiveCount: number;
}

/** Handler of one event name + version. */
export type EventHandler<N extends EventName, V extends EventVersion<N>> = (event: EventOf<N, V>, ctx: ConsumerContext) => Promise<Effect>;

/** Handlers by event name, then version; an event without one goes to the DLQ as unsupported. */
export type ConsumerHandlers = {
  [N in EventName]?: { [V in EventVersion<N>]?: EventHandler<N, V> };
};

/** Retry budget for messages whose prerequisite is missing. */
export interface ParkingOptions {
  /** Parks before giving up to the DLQ. Default env `PARK_MAX_ATTEMPTS`, else 8. */
  maxAttempts?: number;
  /** First delay; doubles each park. Default env `PARK_BASE_DELAY_SECONDS`, else 30. */
  baseDelaySeconds?: number;
  /** Cap of the delay (SQS allows at most 900). Default 900. */
  maxDelaySeconds?: number;
}

export interface ConsumerOptions {
  /** The consuming service, e.g. `bonus`. */
  consumer: string;
  handlers: ConsumerHandlers;
  parking?: ParkingOptions;
  /** Default env `TABLE_NAME`. */
  tableName?: string;
  /** The consumer's own queue, for parking. Default env `QUEUE_URL`. */
  queueUrl?: string;
  /** Default env `DEAD_LETTER_QUEUE_URL`. */
  deadLetterQueueUrl?: string;
  /** Clients to use instead of the default ones (tests, local runs). */
  clients?: { doc?: DynamoDBDocumentClient; sqs?: SQSClient };
}

/** What happened to one record that did not end as a batch item failure. */
export type RecordOutcome = 'consumed' | 'no-effect' | 'duplicate' | 'stale' | 'parked' | 'dead-lettered';

/** How a failure is handled. */
export type FailureKind = 'poison' | 'prerequisite-missing' | 'transient';

/** Everything `processRecord` needs, resolved once per invocation. */
export interface ConsumerRuntime {
  consumer: string;
  handlers: ConsumerHandlers;
  tableName: string;
  queueUrl: string;
  deadLetterQueueUrl: string;
  parking: Required<ParkingOptions>;
  doc: DynamoDBDocumentClient;
  /** Parks and dead-letters messages (the SQS client is loaded on first use). */
  sendMessage: SendMessage;
  logger: Logger;
  now: () => Date;
}

/**
 * What a service's consumer factory lets tests and local runs override; everything else comes
 * from the environment the `EventConsumer` construct sets.
 */
export type ConsumerOverrides = Pick<ConsumerOptions, 'clients' | 'tableName' | 'queueUrl' | 'deadLetterQueueUrl' | 'parking'>;
