import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { HttpError } from '../../../lambdas/shared/http/errors.js';
import { hashFingerprint, withIdempotencyKey } from '../../../lambdas/shared/http/withIdempotencyKey.js';

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const ddb = mockClient(DynamoDBDocumentClient);
const NOW = 1_700_000_000_000;
const config = { tableName: 'hiring', client: doc, now: () => NOW };
const request = { route: 'POST /candidates', key: 'k-1', fingerprint: { path: '/candidates', body: { name: 'Ada', surname: 'L' } } };
const pk = 'IDEMPOTENCY#POST /candidates#k-1';
const conditionFailed = () => Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' });
const seconds = NOW / 1000;

beforeEach(() => ddb.reset());

describe('withIdempotencyKey', () => {
  it('claims with a TTL of 24 h and a short lock, then records the response', async () => {
    ddb.on(PutCommand).resolves({});
    ddb.on(UpdateCommand).resolves({});
    const run = vi.fn(async () => ({ status: 201, body: { candidate_uid: 'c-1' } }));
    const response = await withIdempotencyKey(config, request, run);
    expect(response).toEqual({ status: 201, body: { candidate_uid: 'c-1' } });
    expect(run).toHaveBeenCalledOnce();
    const put = ddb.commandCalls(PutCommand)[0]!.args[0].input;
    expect(put.Item).toMatchObject({
      pk,
      sk: 'IDEMPOTENCY',
      status: 'IN_PROGRESS',
      request_hash: hashFingerprint(request.fingerprint),
      locked_until: seconds + 60,
      expires_at: seconds + 86_400,
    });
    expect(put.ConditionExpression).toContain('attribute_not_exists(pk)');
    const update = ddb.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(update.Key).toEqual({ pk, sk: 'IDEMPOTENCY' });
    expect(update.ExpressionAttributeValues).toMatchObject({ ':completed': 'COMPLETED', ':status': 201, ':body': '{"candidate_uid":"c-1"}', ':token': put.Item!.claim_token });
  });

  it('replays a completed record for the same request without running again', async () => {
    ddb.on(PutCommand).rejects(conditionFailed());
    ddb.on(GetCommand).resolves({
      Item: { pk, sk: 'IDEMPOTENCY', status: 'COMPLETED', request_hash: hashFingerprint(request.fingerprint), expires_at: seconds + 10, response_status: 201, response_body: '{"candidate_uid":"c-1"}' },
    });
    const run = vi.fn();
    const response = await withIdempotencyKey(config, request, run);
    expect(run).not.toHaveBeenCalled();
    expect(response).toEqual({ status: 201, body: { candidate_uid: 'c-1' }, headers: { 'idempotent-replayed': 'true' } });
    expect(ddb.commandCalls(GetCommand)[0]!.args[0].input.ConsistentRead).toBe(true);
  });

  it('treats a body with other key order as the same request', () => {
    expect(hashFingerprint({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe(hashFingerprint({ a: { c: null, d: [1, { x: 1, y: 2 }] }, b: 1 }));
    expect(hashFingerprint({ a: 1 })).not.toBe(hashFingerprint({ a: '1' }));
  });

  it('answers 422 idempotency_key_reused when the key was used for another request', async () => {
    ddb.on(PutCommand).rejects(conditionFailed());
    ddb.on(GetCommand).resolves({ Item: { pk, sk: 'IDEMPOTENCY', status: 'COMPLETED', request_hash: 'other', expires_at: seconds + 10 } });
    const error = await withIdempotencyKey(config, request, vi.fn()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ status: 422, code: 'idempotency_key_reused', field: 'headers.Idempotency-Key' });
  });

  it('answers 409 request_in_progress while a duplicate holds a live claim', async () => {
    ddb.on(PutCommand).rejects(conditionFailed());
    ddb.on(GetCommand).resolves({
      Item: { pk, sk: 'IDEMPOTENCY', status: 'IN_PROGRESS', request_hash: hashFingerprint(request.fingerprint), locked_until: seconds + 30, expires_at: seconds + 86_400 },
    });
    const run = vi.fn();
    await expect(withIdempotencyKey(config, request, run)).rejects.toMatchObject({ status: 409, code: 'request_in_progress' });
    expect(run).not.toHaveBeenCalled();
  });

  it('claims again when the record vanished between the failed put and the read', async () => {
    ddb.on(PutCommand).rejectsOnce(conditionFailed()).resolves({});
    ddb.on(GetCommand).resolves({});
    ddb.on(UpdateCommand).resolves({});
    const run = vi.fn(async () => ({ status: 201, body: {} }));
    await withIdempotencyKey(config, request, run);
    expect(ddb.commandCalls(PutCommand)).toHaveLength(2);
    expect(run).toHaveBeenCalledOnce();
  });

  it('releases its own claim when the handler throws, so the client may retry', async () => {
    ddb.on(PutCommand).resolves({});
    ddb.on(DeleteCommand).resolves({});
    const boom = new Error('boom');
    await expect(withIdempotencyKey(config, request, async () => { throw boom; })).rejects.toBe(boom);
    const del = ddb.commandCalls(DeleteCommand)[0]!.args[0].input;
    const token = ddb.commandCalls(PutCommand)[0]!.args[0].input.Item!.claim_token;
    expect(del.ConditionExpression).toBe('claim_token = :token AND #status = :inProgress');
    expect(del.ExpressionAttributeValues).toMatchObject({ ':token': token });
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it('gives the handler a transaction item for the record and then writes nothing itself', async () => {
    ddb.on(PutCommand).resolves({});
    const response = await withIdempotencyKey(config, request, async (idempotency) => {
      const item = idempotency.recordItem({ status: 201, body: { ok: true } });
      expect(idempotency.key).toBe('k-1');
      expect(item.Update).toMatchObject({
        TableName: 'hiring',
        Key: { pk, sk: 'IDEMPOTENCY' },
        ConditionExpression: 'claim_token = :token AND #status = :inProgress',
      });
      expect(item.Update!.ExpressionAttributeValues).toMatchObject({ ':status': 201, ':body': '{"ok":true}' });
      return { status: 201, body: { ok: true } };
    });
    expect(response).toEqual({ status: 201, body: { ok: true } });
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it('fails loudly when a handler returns another answer than the one it recorded', async () => {
    ddb.on(PutCommand).resolves({});
    await expect(
      withIdempotencyKey(config, request, async (idempotency) => {
        idempotency.recordItem({ status: 201, body: { a: 1 } });
        return { status: 200, body: { a: 2 } };
      }),
    ).rejects.toThrow(/other than the one it recorded/);
  });
});
