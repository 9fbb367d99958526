/** Prefix of the EventBridge `Source` of every event: `hiring-events.<producer>`. */
export const EVENT_SOURCE_PREFIX = 'hiring-events.';

/** The EventBridge `Source` an event of `producer` is put with (and consumer rules match on). */
export const eventSource = (producer: string): string => `${EVENT_SOURCE_PREFIX}${producer}`;

/** Table key attributes (single-table design, see `ServiceTable`). */
export const PARTITION_KEY = 'pk';
export const SORT_KEY = 'sk';
/** TTL attribute, epoch seconds. */
export const TTL_ATTRIBUTE = 'expires_at';

/** Sparse GSI over outbox items only, used by the republisher to find events by time. */
export const OUTBOX_INDEX_NAME = 'gsi1';
export const OUTBOX_INDEX_PARTITION_KEY = 'gsi1pk';
export const OUTBOX_INDEX_SORT_KEY = 'gsi1sk';

export const OUTBOX_PK_PREFIX = 'OUTBOX#';
export const OUTBOX_SK = 'OUTBOX';
export const OUTBOX_ITEM_TYPE = 'outbox';
/** Outbox rows only need to outlive the stream (24 h) plus time to operate: 7 days. */
export const OUTBOX_TTL_SECONDS = 7 * 24 * 60 * 60;

export const PROCESSED_PK_PREFIX = 'PROCESSED#';
export const PROCESSED_SK = 'PROCESSED';
/** Longer than any redelivery path (4-day queue retention + 14-day DLQ redrive window). */
export const PROCESSED_TTL_SECONDS = 30 * 24 * 60 * 60;

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
/** SQS caps a message attribute's value only by message size; we keep reasons readable. */
export const MAX_FAILURE_REASON_LENGTH = 1000;

/** DynamoDB's limits on one BatchGetItem (keys) and one TransactWriteItems (bytes of its items). */
export const MAX_BATCH_GET_KEYS = 100;
export const MAX_TRANSACT_BYTES = 4 * 1024 * 1024;
