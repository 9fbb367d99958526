import type { DynamoDBDocumentClient, NativeAttributeValue } from '@aws-sdk/lib-dynamodb';
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
// biome-ignore lint/suspicious/noConfusingVoidType: a handler with nothing to write may simply return (`Promise<void>`).
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

/**
 * Per-record handler of one event name + version: does its own reads, returns its effect, which
 * the runtime writes with the marker in a transaction of its own (one record, one transaction).
 */
export type EventHandler<N extends EventName, V extends EventVersion<N>> = (event: EventOf<N, V>, ctx: ConsumerContext) => Promise<Effect>;

/** Key of an item in the consumer's table (single-table design: `pk` + `sk`). */
export interface TableKey {
  pk: string;
  sk: string;
}

/** What the batch read found, looked up by key (`undefined`: the item does not exist). */
export interface ReadItems {
  get<T = Record<string, NativeAttributeValue>>(key: TableKey): T | undefined;
}

/**
 * A counter update: numbers ADDed to attributes of one item. The runtime merges the increments of
 * all records of a transaction that target the same item into ONE `Update` (a transaction may
 * name an item only once), so a hot item such as a manager's balance is written once per batch.
 */
export interface Increment {
  /** The counter item, in the consumer's table. */
  key: TableKey;
  /** Amounts to add (DynamoDB `ADD`), summed per attribute across the records of a transaction. */
  add: Record<string, number>;
  /** Attributes set alongside (e.g. `updated_at`); for one item, the last record of the transaction wins. */
  set?: Record<string, NativeAttributeValue>;
}

/**
 * What a batch handler decides for one event. Empty (no writes, no increments) = nothing to write
 * and, as with per-record handlers, no marker.
 */
export interface BatchEffect {
  /** Items written as given (each item at most once per transaction; a colliding record goes to another transaction). */
  writes?: TransactWriteItem[];
  /** Counter updates, merged per item across the batch. */
  increments?: Increment[];
}

/** "Not yet": the event is parked and retried later, like a thrown `PrerequisiteMissingError`. */
export interface PrerequisiteMissing {
  readonly prerequisiteMissing: string;
}

/** "Never": the event goes to the DLQ with the reason, like a thrown `PoisonError`. */
export interface Poison {
  readonly poison: string;
}

export type Decision = BatchEffect | PrerequisiteMissing | Poison;

/** Given to `decide`: everything it may depend on besides the event and what was read. */
export interface DecideContext {
  consumer: string;
  tableName: string;
  /** One clock reading per batch (e.g. `credited_at`). */
  now: Date;
}

/**
 * Batch handler of one event name + version (opt-in; see `processBatch`): per SQS batch the
 * runtime reads every declared key plus every record's processed marker in ONE `BatchGetItem`,
 * asks `decide` for each record, and writes all effects with their markers in ONE
 * `TransactWriteItems` (split only when DynamoDB's limits demand it).
 *
 * `decide` must be a pure function of the event and what was read: it may be asked again for the
 * same event, and its effect may be written together with other records' effects.
 */
export interface BatchEventHandler<N extends EventName, V extends EventVersion<N>> {
  /** Items this event needs, in the consumer's table. */
  reads(event: EventOf<N, V>): TableKey[];
  /** The effect of the event given what was read, or why it must wait (parked) or can never apply (DLQ). */
  decide(event: EventOf<N, V>, read: ReadItems, ctx: DecideContext): Decision;
  /**
   * Optional: the key of an item EVERY effect of this handler writes, unique per event and put on
   * condition `attribute_not_exists(pk)` (e.g. a ledger entry keyed by event id). That item then
   * serves as the processed marker: the batch read looks it up, its condition failing means
   * "duplicate", and no separate `PROCESSED#` marker is written — one item less per record, and a
   * proof that never expires. An effect without that Put (or with another condition on it) gets
   * the ordinary marker instead.
   */
  markedBy?(event: EventOf<N, V>): TableKey;
  /**
   * Optional side step before the batch read, per record and concurrently (e.g. a migration
   * step's HTTP look-up that stores what `reads` then finds). A failure is settled per record.
   */
  prepare?(event: EventOf<N, V>, ctx: ConsumerContext): Promise<void>;
}

/** Either kind of handler of one event name + version. */
export type AnyEventHandler<N extends EventName, V extends EventVersion<N>> = EventHandler<N, V> | BatchEventHandler<N, V>;

/** Handlers by event name, then version; an event without one goes to the DLQ as unsupported. */
export type ConsumerHandlers = {
  [N in EventName]?: { [V in EventVersion<N>]?: AnyEventHandler<N, V> };
};

/**
 * In-process retries of a batch transaction cancelled by `TransactionConflict` or throttling (and
 * of a throttled batch read) before the records go back to SQS as batch item failures.
 */
export interface TransactionRetryOptions {
  /** First backoff ceiling (full jitter, doubling per retry). Default 25 ms. */
  baseDelayMs?: number;
  /** Backoff ceiling. Default 1,000 ms. */
  maxDelayMs?: number;
  /** Time kept free before the function's timeout (for settling the batch). Default 3,000 ms. */
  safetyMarginMs?: number;
  /** Retry budget when the handler is called without a Lambda context (tests, scripts). Default 10,000 ms. */
  budgetWithoutContextMs?: number;
}

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
  /** In-process retries of batch transactions (batch handlers only). */
  retry?: TransactionRetryOptions;
  /** Clock of markers, DLQ attributes and `DecideContext.now`. Default: the system clock. */
  now?: () => Date;
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
  retry: Required<TransactionRetryOptions>;
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
export type ConsumerOverrides = Pick<ConsumerOptions, 'clients' | 'tableName' | 'queueUrl' | 'deadLetterQueueUrl' | 'parking' | 'retry' | 'now'>;
