import { createHash, randomUUID } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { IDEMPOTENCY_IN_PROGRESS_SECONDS, IDEMPOTENCY_KEY_HEADER, IDEMPOTENCY_SK, IDEMPOTENCY_TTL_SECONDS, IDEMPOTENT_REPLAY_HEADER } from './constants.js';
import { retryWrite } from '../dynamodb/retryWrite.js';
import { HttpError } from './errors.js';
import type { HttpResponse, IdempotencyConfig, IdempotencyContext } from './types.js';

/** What identifies one idempotent request. */
export interface IdempotentRequest {
  /** The route, e.g. `POST /tasks/{task_uid}/solutions`; keys are scoped per route. */
  route: string;
  /** The client's `Idempotency-Key` (already validated). */
  key: string;
  /**
   * What must be equal for a retry to count as "the same request" (the concrete path and the body):
   * hashed canonically, so key order and whitespace in the body do not matter.
   */
  fingerprint: unknown;
}

interface IdempotencyRecord {
  pk: string;
  sk: string;
  status: 'IN_PROGRESS' | 'COMPLETED';
  request_hash: string;
  claim_token?: string;
  locked_until?: number;
  expires_at: number;
  response_status?: number;
  response_body?: string;
}

const MAX_CLAIM_ATTEMPTS = 3;

/**
 * Runs `run` at most once per (route, key): a retry with the same key and request gets the stored
 * answer, the handler does not run again.
 *
 * Design. One item per key in the service's table, `{pk: "IDEMPOTENCY#<route>#<key>", sk: "IDEMPOTENCY"}`,
 * with the request hash, a status, the stored response and `expires_at` (TTL, 24 h).
 * 1. **Claim**: a conditional put writes `IN_PROGRESS` with a fresh `claim_token` and a short lock
 *    (`locked_until`). It succeeds when no live record exists, or when a previous claim for the same
 *    request is stale (its Lambda crashed or timed out). If it fails the existing record decides:
 *    other request hash -> 422 `idempotency_key_reused`; `COMPLETED` -> the stored response is replayed
 *    (header `idempotent-replayed: true`); live `IN_PROGRESS` -> 409 `request_in_progress`.
 * 2. **Effect + record in one transaction**: `run` gets `recordItem(response)`, a `TransactWriteItem`
 *    that turns the claim into `COMPLETED` with that response, conditioned on `claim_token`. A handler
 *    that writes appends it to its own `TransactWriteCommand`: the effect and the record commit
 *    together or not at all, so a crash between them cannot exist, and an invocation whose stale
 *    claim was taken over fails as a whole instead of applying the effect twice.
 * 3. Handlers that do not call `recordItem` (nothing to write, or an effect outside DynamoDB) get the
 *    record written after they return; for them a crash between effect and record can, after the
 *    lock expires, run the handler once more, so such effects must be idempotent by themselves.
 * 4. When `run` throws, the claim is deleted (if still ours and unfinished): an error is not a
 *    result, the client may retry with the same key.
 *
 * DynamoDB TTL deletes lazily, so an expired record is treated as absent by the claim condition.
 * A claim or completion refused because a transaction holds the record (the same key's first request
 * committing its effect right now: `TransactionConflictException`) is retried by `retryWrite`, so the
 * retry then replays the committed answer instead of failing.
 *
 * @example
 * ```ts
 * const response = await withIdempotencyKey(
 *   { tableName, client },
 *   { route: 'POST /managers', key, fingerprint: { path: '/managers', body } },
 *   async (idempotency) => {
 *     const response = { status: 201, body: { manager_uid } };
 *     await client.send(new TransactWriteCommand({ TransactItems: [
 *       { Put: { TableName: tableName, Item: manager, ConditionExpression: 'attribute_not_exists(pk)' } },
 *       idempotency.recordItem(response),
 *     ] }));
 *     return response;
 *   },
 * );
 * ```
 */
export async function withIdempotencyKey(
  config: IdempotencyConfig,
  request: IdempotentRequest,
  run: (idempotency: IdempotencyContext) => Promise<HttpResponse>,
): Promise<HttpResponse> {
  const { tableName, client } = config;
  const now = (): number => Math.floor((config.now ?? Date.now)() / 1000);
  const key = { pk: `IDEMPOTENCY#${request.route}#${request.key}`, sk: IDEMPOTENCY_SK };
  const requestHash = hashFingerprint(request.fingerprint);
  const claimToken = randomUUID();

  const replay = await claim();
  if (replay) return replay;

  let recorded: HttpResponse | undefined;
  const completion = (response: HttpResponse) => ({
    TableName: tableName,
    Key: key,
    UpdateExpression: 'SET #status = :completed, response_status = :status, response_body = :body REMOVE claim_token, locked_until',
    ConditionExpression: 'claim_token = :token AND #status = :inProgress',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':completed': 'COMPLETED',
      ':inProgress': 'IN_PROGRESS',
      ':status': response.status,
      ':body': JSON.stringify(response.body ?? null),
      ':token': claimToken,
    },
  });
  const context: IdempotencyContext = {
    key: request.key,
    recordItem(response) {
      recorded = response;
      return { Update: completion(response) };
    },
  };

  let response: HttpResponse;
  try {
    response = await run(context);
  } catch (error) {
    await release();
    throw error;
  }

  if (recorded) {
    // The record was committed with the effect; the answer must be the one a retry will replay.
    if (recorded.status !== response.status || JSON.stringify(recorded.body ?? null) !== JSON.stringify(response.body ?? null)) {
      throw new Error(`handler of ${request.route} returned a response other than the one it recorded for idempotency`);
    }
    return response;
  }
  try {
    await retryWrite(() => client.send(new UpdateCommand(completion(response))), { what: `the idempotency record of ${request.route}` });
  } catch (error) {
    // Our stale claim was taken over by a duplicate: the effect is done, return its answer anyway.
    if (!isConditionalCheckFailed(error)) throw error;
  }
  return response;

  async function claim(): Promise<HttpResponse | undefined> {
    for (let attempt = 1; ; attempt += 1) {
      const at = now();
      const item: IdempotencyRecord = {
        ...key,
        status: 'IN_PROGRESS',
        request_hash: requestHash,
        claim_token: claimToken,
        locked_until: at + (config.inProgressSeconds ?? IDEMPOTENCY_IN_PROGRESS_SECONDS),
        expires_at: at + (config.ttlSeconds ?? IDEMPOTENCY_TTL_SECONDS),
      };
      try {
        const put = new PutCommand({
          TableName: tableName,
          Item: item,
          ConditionExpression: 'attribute_not_exists(pk) OR expires_at <= :now OR (#status = :inProgress AND locked_until <= :now AND request_hash = :hash)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':now': at, ':inProgress': 'IN_PROGRESS', ':hash': requestHash },
        });
        await retryWrite(() => client.send(put), { what: `the idempotency record of ${request.route}` });
        return undefined;
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw error;
      }
      const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
      const existing = Item as IdempotencyRecord | undefined;
      // Gone (released or expired) between our put and get: try to claim again.
      if (existing && existing.expires_at > at) {
        // Our own claim: the put succeeded but its answer was lost and the SDK's retry failed the
        // condition against the record it had just written.
        if (existing.status === 'IN_PROGRESS' && existing.claim_token === claimToken) return undefined;
        if (existing.request_hash !== requestHash) {
          throw new HttpError(422, 'idempotency_key_reused', `${IDEMPOTENCY_KEY_HEADER} was already used for a different request`, {
            field: `headers.${IDEMPOTENCY_KEY_HEADER}`,
          });
        }
        if (existing.status === 'COMPLETED') {
          return {
            status: existing.response_status ?? 200,
            body: JSON.parse(existing.response_body ?? 'null') as unknown,
            headers: { [IDEMPOTENT_REPLAY_HEADER]: 'true' },
          };
        }
        if ((existing.locked_until ?? 0) > at) {
          throw new HttpError(409, 'request_in_progress', 'a request with this Idempotency-Key is still in progress; retry later', {
            field: `headers.${IDEMPOTENCY_KEY_HEADER}`,
          });
        }
      }
      if (attempt >= MAX_CLAIM_ATTEMPTS) {
        throw new Error(`could not claim idempotency key ${key.pk}`);
      }
    }
  }

  async function release(): Promise<void> {
    try {
      await client.send(
        new DeleteCommand({
          TableName: tableName,
          Key: key,
          ConditionExpression: 'claim_token = :token AND #status = :inProgress',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':token': claimToken, ':inProgress': 'IN_PROGRESS' },
        }),
      );
    } catch (error) {
      // Already completed by the handler's transaction, or taken over: nothing of ours to release.
      // Any other failure only delays retries until the lock expires; the handler's error matters more.
      void error;
    }
  }
}

/** sha256 of the canonical JSON of `value` (object keys sorted at every level). */
export function hashFingerprint(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function isConditionalCheckFailed(error: unknown): boolean {
  return (error as { name?: string } | null)?.name === 'ConditionalCheckFailedException';
}
