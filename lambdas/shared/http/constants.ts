/** Largest request body the router accepts, in bytes (after base64 decoding). */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

/** How long an idempotency record is kept: clients may retry a POST for a day. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

/**
 * How long an in-flight claim blocks duplicates. After it a crashed invocation's claim may be taken
 * over; it must outlive the longest Lambda run (API Gateway cuts requests at 29 s by default).
 */
export const IDEMPOTENCY_IN_PROGRESS_SECONDS = 60;

/** The header carrying the client's idempotency key (matched case-insensitively). */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

/** 1..128 characters of letters, digits and `_ - : .` — enough for UUIDs and composite keys. */
export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9_\-:.]{1,128}$/;

/** Sort key of every idempotency record (the partition key carries route and key). */
export const IDEMPOTENCY_SK = 'IDEMPOTENCY';

/** Any RFC 4122 UUID, lower or upper case (the services generate v4 ones). */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Header set on a response replayed from an idempotency record. */
export const IDEMPOTENT_REPLAY_HEADER = 'idempotent-replayed';
