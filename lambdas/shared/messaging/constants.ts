/** Prefix of the EventBridge `Source` of every event: `hiring-events.<producer>`. */
export const EVENT_SOURCE_PREFIX = 'hiring-events.';

/** The EventBridge `Source` an event of `producer` is put with (and consumer rules match on). */
export const eventSource = (producer: string): string => `${EVENT_SOURCE_PREFIX}${producer}`;

/** Table key attributes (single-table design, see `ServiceTable`). */
export const PARTITION_KEY = 'pk';
export const SORT_KEY = 'sk';
/** TTL attribute, epoch seconds. */
export const TTL_ATTRIBUTE = 'expires_at';

/*
 * The retention chain. No recovery path may need a person before a deadline: every row a recovery
 * reads outlives the message that points at it, and every marker that recognises a duplicate
 * outlives the last moment a duplicate can arrive. Retentions of queues and the archive (what the
 * stacks deploy) and TTLs of rows (what the code writes) are defined here, in days, and the TTLs
 * are computed from the retentions. test/infra/retentionChain.test.ts reads the retentions back from
 * the synthesized templates and checks every inequality below.
 */
const DAY_SECONDS = 24 * 60 * 60;

/** A DynamoDB stream keeps records 24 h; stream event sources give up on a record after a day (then their on-failure queue). */
export const STREAM_MAX_RECORD_AGE_DAYS = 1;
/** EventBridge retries delivery to a rule's target for up to 24 h (`maxEventAge`), then the target's DLQ. */
export const EVENT_DELIVERY_MAX_AGE_DAYS = 1;
/** Retention of a consumer queue (rule -> queue -> consumer). */
export const CONSUMER_QUEUE_RETENTION_DAYS = 4;
/** Retention of the deferred-calls queue (pending call -> scheduler -> queue -> deliverer). */
export const DEFERRED_CALLS_QUEUE_RETENTION_DAYS = 4;
/**
 * Retention of every DLQ and on-failure queue (consumer and deferred-call DLQs, outbox failure
 * queues, the republisher's unresolved queues, scheduler failure queues): SQS's maximum.
 */
export const DEAD_LETTER_RETENTION_DAYS = 14;
/**
 * How long a record whose prerequisite is missing (or a deferred call whose target keeps failing)
 * is redriven automatically from its waiting queue before it goes to the poison DLQ. The waiting
 * queues and their scheduled redriver take their horizon from here (context `waiting.horizonSeconds`
 * overrides it per deployment).
 */
export const WAITING_REDRIVE_HORIZON_DAYS = 14;
/** How long the bus archive keeps events for replay. */
export const ARCHIVE_RETENTION_DAYS = 30;

/**
 * Outbox rows are what the republisher reads. A batch the stream publisher gives up on (after at
 * most a day of retries) waits in the failure queue (14 d); a failure message the republisher
 * cannot resolve moves to its unresolved queue (a fresh 14 d), from which an operator republishes
 * it with a wider window. One more day to act on the last message: 1 + 14 + 14 + 1 = 30 days.
 */
export const OUTBOX_TTL_DAYS = STREAM_MAX_RECORD_AGE_DAYS + 2 * DEAD_LETTER_RETENTION_DAYS + 1;

/**
 * The longest a deferred call's message can live after it is queued: the deferred-calls queue, the
 * waiting queue's redrive horizon, the DLQ (a message re-sent there gets a fresh retention), and one
 * more pass through the queue after a redrive on the DLQ's last day: 4 + 14 + 14 + 4 = 36 days.
 */
export const DEFERRED_CALL_HORIZON_DAYS =
  DEFERRED_CALLS_QUEUE_RETENTION_DAYS + WAITING_REDRIVE_HORIZON_DAYS + DEAD_LETTER_RETENTION_DAYS + DEFERRED_CALLS_QUEUE_RETENTION_DAYS;

/**
 * Pending-call rows are what the deliverer reads (a missing row drops the call). The longest path
 * to the last read: the scheduler's stream (1 d), its failure queue (14 d, after which an operator
 * queues the still-pending rows by hand, RUNBOOK.md), then the whole deferred-call horizon:
 * 1 + 14 + 36 = 51 days.
 */
export const PENDING_CALL_TTL_DAYS = STREAM_MAX_RECORD_AGE_DAYS + DEAD_LETTER_RETENTION_DAYS + DEFERRED_CALL_HORIZON_DAYS;

/**
 * The latest a duplicate of an event can be put on the bus, counted from its production: the
 * republisher re-puts events as long as their outbox rows live (30 d), and a replay from the archive
 * re-puts events the archive received up to a day after production (stream retries) for its 30 days.
 */
export const DUPLICATE_SOURCE_HORIZON_DAYS = Math.max(OUTBOX_TTL_DAYS, STREAM_MAX_RECORD_AGE_DAYS + ARCHIVE_RETENTION_DAYS);

/**
 * The longest an event can travel from the bus to its consumer: EventBridge delivery retries (1 d),
 * the consumer queue (4 d), the waiting queue's redrive horizon (14 d), the DLQ (a fresh 14 d), and
 * one more pass through the queue after a redrive on the DLQ's last day (4 d): 37 days.
 */
export const CONSUMER_DELIVERY_HORIZON_DAYS =
  EVENT_DELIVERY_MAX_AGE_DAYS + CONSUMER_QUEUE_RETENTION_DAYS + WAITING_REDRIVE_HORIZON_DAYS + DEAD_LETTER_RETENTION_DAYS + CONSUMER_QUEUE_RETENTION_DAYS;

/**
 * Processed markers recognise duplicates, so they outlive the last duplicate's arrival: the latest
 * duplicate source plus the longest delivery, 31 + 37 = 68 days (counted from the first processing,
 * which is never before production).
 */
export const PROCESSED_TTL_DAYS = DUPLICATE_SOURCE_HORIZON_DAYS + CONSUMER_DELIVERY_HORIZON_DAYS;

/** Sparse GSI over outbox items only, used by the republisher to find events by time. */
export const OUTBOX_INDEX_NAME = 'gsi1';
export const OUTBOX_INDEX_PARTITION_KEY = 'gsi1pk';
export const OUTBOX_INDEX_SORT_KEY = 'gsi1sk';

export const OUTBOX_PK_PREFIX = 'OUTBOX#';
export const OUTBOX_SK = 'OUTBOX';
export const OUTBOX_ITEM_TYPE = 'outbox';
/** Outbox rows outlive every failure message that points at them: see {@link OUTBOX_TTL_DAYS}. */
export const OUTBOX_TTL_SECONDS = OUTBOX_TTL_DAYS * DAY_SECONDS;

export const PROCESSED_PK_PREFIX = 'PROCESSED#';
export const PROCESSED_SK = 'PROCESSED';
/** Processed markers outlive every redelivery path: see {@link PROCESSED_TTL_DAYS}. */
export const PROCESSED_TTL_SECONDS = PROCESSED_TTL_DAYS * DAY_SECONDS;

/** DynamoDB's limit on items in one TransactWriteItems. */
export const MAX_TRANSACT_ITEMS = 100;

/** EventBridge limits on one PutEvents call. */
export const MAX_PUT_EVENTS_ENTRIES = 10;
export const MAX_PUT_EVENTS_BYTES = 256 * 1024;

/** SQS limits used by parking. */
export const MAX_DELAY_SECONDS = 900;
export const DEFAULT_PARK_MAX_ATTEMPTS = 8;
export const DEFAULT_PARK_BASE_DELAY_SECONDS = 30;

/** Message attributes set by the consumer runtime. */
export const ATTR_PARKED_ATTEMPT = 'parked-attempt';
export const ATTR_FAILURE_KIND = 'failure-kind';
export const ATTR_FAILURE_REASON = 'failure-reason';
export const ATTR_FAILED_AT = 'failed-at';
export const ATTR_SOURCE_QUEUE = 'source-queue';
/** Message attributes of a message in a waiting queue (set when it enters, read by the redriver). */
export const ATTR_WAITING_SINCE = 'waiting-since';
export const ATTR_WAITING_ROUND = 'waiting-round';
/** SQS caps a message attribute's value only by message size; we keep reasons readable. */
export const MAX_FAILURE_REASON_LENGTH = 1000;

/** First wait in the waiting queue; doubles each round up to the maximum. */
export const DEFAULT_WAITING_FIRST_DELAY_SECONDS = 5 * 60;
export const DEFAULT_WAITING_MAX_DELAY_SECONDS = 6 * 60 * 60;
/** SQS's ceiling on a message's visibility timeout (12 h). */
export const MAX_VISIBILITY_TIMEOUT_SECONDS = 12 * 60 * 60;
/** DynamoDB's limits on one BatchGetItem (keys) and one TransactWriteItems (bytes of its items). */
export const MAX_BATCH_GET_KEYS = 100;
export const MAX_TRANSACT_BYTES = 4 * 1024 * 1024;
