import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ConflictError, createHttpApi, HttpError, NotFoundError, ValidationError, type HttpRequest, type Route } from '../../../lambdas/shared/http/index.js';
import { addSolution, createManager, putRating } from '../../fixtures/http/generated/validators.js';
import { apiEvent, bodyOf, CANDIDATE_UID, silentLogger, TASK_UID } from './helpers/factories.js';
import type { LooseJson } from '../../../local/looseJson.js';

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const ddb = mockClient(DynamoDBDocumentClient);


function api(routes: Route<LooseJson>[], extra: { maxBodyBytes?: number } = {}) {
  const logger = silentLogger();
  const handler = createHttpApi({ routes, logger, idempotency: { tableName: 'tasks', client: doc }, ...extra });
  return { handler, logger };
}

const ok = vi.fn(async (request: HttpRequest<unknown>) => ({ status: 200, body: { got: request.body ?? null, params: request.pathParameters } }));

const routes: Route<LooseJson>[] = [
  { method: 'POST', path: '/managers', bodySchema: createManager, handler: ok },
  { method: 'GET', path: '/tasks/{task_uid}', handler: ok },
  { method: 'PUT', path: '/tasks/{task_uid}', handler: ok },
  { method: 'POST', path: '/tasks/{task_uid}/solutions', bodySchema: addSolution, handler: ok },
  { method: 'PUT', path: '/internal/tasks/{task_uid}/rating', bodySchema: putRating, handler: ok },
  { method: 'GET', path: '/tasks/search', handler: async () => ({ status: 200, body: { search: true } }) },
];

beforeEach(() => {
  ddb.reset();
  ok.mockClear();
});

describe('createHttpApi routing', () => {
  it('dispatches on the resource template API Gateway sends, with its path parameters', async () => {
    const { handler } = api(routes);
    const result = await handler(
      apiEvent({ method: 'GET', path: `/tasks/${TASK_UID}`, resource: '/tasks/{task_uid}', pathParameters: { task_uid: TASK_UID } }),
    );
    expect(result.statusCode).toBe(200);
    expect(result.headers).toMatchObject({ 'content-type': 'application/json' });
    expect(bodyOf(result)).toEqual({ got: null, params: { task_uid: TASK_UID } });
  });

  it('falls back to matching event.path (proxy resources), preferring literal segments', async () => {
    const { handler } = api(routes);
    const byParam = await handler(apiEvent({ method: 'GET', path: `/tasks/${TASK_UID}`, resource: '/{proxy+}' }));
    expect(bodyOf(byParam)).toEqual({ got: null, params: { task_uid: TASK_UID } });
    const literal = await handler(apiEvent({ method: 'GET', path: '/tasks/search', resource: '/{proxy+}' }));
    expect(bodyOf(literal)).toEqual({ search: true });
  });

  it('answers 404 route_not_found for an unknown route', async () => {
    const { handler } = api(routes);
    const result = await handler(apiEvent({ method: 'GET', path: '/nowhere' }));
    expect(result.statusCode).toBe(404);
    expect(bodyOf(result).error).toMatchObject({ code: 'route_not_found' });
  });

  it('answers 405 with Allow for a known path and another method', async () => {
    const { handler } = api(routes);
    const result = await handler(
      apiEvent({ method: 'DELETE', path: `/tasks/${TASK_UID}`, resource: '/tasks/{task_uid}', pathParameters: { task_uid: TASK_UID } }),
    );
    expect(result.statusCode).toBe(405);
    expect(result.headers).toMatchObject({ allow: 'GET, PUT' });
    expect(bodyOf(result).error.code).toBe('method_not_allowed');
    const byPath = await handler(apiEvent({ method: 'PATCH', path: '/managers', resource: '/{proxy+}', rawBody: null }));
    expect(byPath.statusCode).toBe(405);
  });

  it('answers 400 naming the parameter when a *_uid path parameter is not a uuid', async () => {
    const { handler } = api(routes);
    const result = await handler(
      apiEvent({ method: 'GET', path: '/tasks/42', resource: '/tasks/{task_uid}', pathParameters: { task_uid: '42' } }),
    );
    expect(result.statusCode).toBe(400);
    expect(bodyOf(result)).toEqual({ error: { code: 'invalid_parameter', message: 'task_uid must be a uuid', field: 'path.task_uid' } });
    expect(ok).not.toHaveBeenCalled();
  });

  it('refuses duplicate routes and idempotent routes without an idempotency table at cold start', () => {
    expect(() => createHttpApi({ routes: [routes[1]!, routes[1]!] })).toThrow(/duplicate route GET \/tasks\/\{task_uid\}/);
    expect(() => createHttpApi({ routes: [routes[0]!] })).toThrow(/POST \/managers is idempotent/);
    expect(() => createHttpApi({ routes: [{ ...routes[0]!, idempotent: false }] })).not.toThrow();
  });
});

describe('createHttpApi bodies', () => {
  const rating = (body: unknown, extra: Partial<Parameters<typeof apiEvent>[0]> = {}) =>
    apiEvent({
      method: 'PUT',
      path: `/internal/tasks/${TASK_UID}/rating`,
      resource: '/internal/tasks/{task_uid}/rating',
      pathParameters: { task_uid: TASK_UID },
      body,
      ...extra,
    });

  it('passes a valid body to the handler', async () => {
    const { handler } = api(routes);
    const result = await handler(rating({ rating: 5, candidate_uid: CANDIDATE_UID }));
    expect(result.statusCode).toBe(200);
    expect(bodyOf(result).got).toEqual({ rating: 5, candidate_uid: CANDIDATE_UID });
  });

  it('accepts a base64-encoded body and a JSON content type with parameters', async () => {
    const { handler } = api(routes);
    const raw = Buffer.from(JSON.stringify({ rating: 3 })).toString('base64');
    const result = await handler(rating(undefined, { rawBody: raw, isBase64Encoded: true, headers: { 'content-type': 'application/json; charset=utf-8' } }));
    expect(result.statusCode).toBe(200);
    expect(bodyOf(result).got).toEqual({ rating: 3 });
  });

  it('answers 400 invalid_json for malformed JSON', async () => {
    const { handler } = api(routes);
    const result = await handler(rating(undefined, { rawBody: '{"rating": ', headers: { 'Content-Type': 'application/json' } }));
    expect(result.statusCode).toBe(400);
    expect(bodyOf(result).error).toMatchObject({ code: 'invalid_json', field: 'body' });
  });

  it('answers 400 invalid_json when a route with a schema gets no body', async () => {
    const { handler } = api(routes);
    const result = await handler(rating(undefined));
    expect(result.statusCode).toBe(400);
    expect(bodyOf(result).error).toEqual({ code: 'invalid_json', message: 'request body is required', field: 'body' });
  });

  it('answers 415 for a body that is not declared as JSON', async () => {
    const { handler } = api(routes);
    const form = await handler(rating(undefined, { rawBody: 'rating=5', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }));
    expect(form.statusCode).toBe(415);
    expect(bodyOf(form).error.code).toBe('unsupported_media_type');
    const none = await handler(rating(undefined, { rawBody: '{"rating":5}', headers: {} }));
    expect(none.statusCode).toBe(415);
  });

  it('answers 413 for a body over the limit, before parsing it', async () => {
    const { handler } = api(routes, { maxBodyBytes: 32 });
    const result = await handler(rating(undefined, { rawBody: `{"rating": 5, "pad": "${'x'.repeat(40)}"` }));
    expect(result.statusCode).toBe(413);
    expect(bodyOf(result).error.code).toBe('payload_too_large');
    const { handler: defaults } = api(routes);
    const big = await defaults(rating({ rating: 5, pad: 'x'.repeat(64 * 1024) }));
    expect(big.statusCode).toBe(413);
  });

  it.each([
    [{ rating: 6 }, 'body.rating', 'rating must be <= 5'],
    [{ rating: '5' }, 'body.rating', 'rating must be integer'],
    [{ rating: 5, foo: 1 }, 'body.foo', 'unexpected field body.foo'],
    [{}, 'body.rating', 'missing required field body.rating'],
    [{ rating: 5, candidate_uid: 'nope' }, 'body.candidate_uid', 'candidate_uid must match format "uuid"'],
    [{ rating: 5, tags: ['easy', 'meh'] }, 'body.tags[1]', 'tags[1] must be one of "easy", "hard"'],
    [[1], 'body', 'body must be object'],
  ])('answers 400 validation_error for %j', async (body, field, message) => {
    const { handler } = api(routes);
    const result = await handler(rating(body));
    expect(result.statusCode).toBe(400);
    expect(bodyOf(result)).toEqual({ error: { code: 'validation_error', field, message } });
    expect(ok).not.toHaveBeenCalled();
  });
});

describe('createHttpApi errors', () => {
  const thrower = (error: unknown) =>
    api([{ method: 'GET', path: '/boom', handler: async () => { throw error; } }]);

  it.each([
    [new NotFoundError('task not found'), 404, { code: 'not_found', message: 'task not found' }],
    [new ConflictError('task is not assigned', 'task_not_assigned'), 409, { code: 'task_not_assigned', message: 'task is not assigned' }],
    [new ValidationError('body.manager_uid', 'unknown manager'), 400, { code: 'validation_error', message: 'unknown manager', field: 'body.manager_uid' }],
    [new HttpError(410, 'gone', 'gone for good'), 410, { code: 'gone', message: 'gone for good' }],
  ])('maps %s', async (error, status, expected) => {
    const { handler } = thrower(error);
    const result = await handler(apiEvent({ method: 'GET', path: '/boom' }));
    expect(result.statusCode).toBe(status);
    expect(bodyOf(result)).toEqual({ error: expected });
  });

  it('answers 409 write_conflict, not 500, to a DynamoDB transaction conflict that reached the router', async () => {
    const conflict = new TransactionCanceledException({
      $metadata: {},
      message: 'Transaction cancelled, please refer cancellation reasons for specific reasons [None, TransactionConflict]',
      CancellationReasons: [{ Code: 'None' }, { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' }],
    });
    const { handler, logger } = thrower(conflict);
    const warned = vi.spyOn(logger, 'warn');
    const result = await handler(apiEvent({ method: 'GET', path: '/boom' }));
    expect(result.statusCode).toBe(409);
    expect(bodyOf(result).error).toMatchObject({ code: 'write_conflict' });
    expect(warned).toHaveBeenCalledOnce();
    // A cancellation for another reason is still a bug to look at: 500.
    const condition = new TransactionCanceledException({ $metadata: {}, message: 'cancelled [ConditionalCheckFailed]', CancellationReasons: [{ Code: 'ConditionalCheckFailed' }] });
    expect((await thrower(condition).handler(apiEvent({ method: 'GET', path: '/boom' }))).statusCode).toBe(500);
  });

  it('answers 500 with a generic message and the request id, logging the error in full', async () => {
    const secret = new Error('connection string postgres://user:pw@db');
    const { handler, logger } = thrower(secret);
    const logged = vi.spyOn(logger, 'error');
    const result = await handler(apiEvent({ method: 'GET', path: '/boom', requestId: 'abc-123' }));
    expect(result.statusCode).toBe(500);
    expect(bodyOf(result)).toEqual({ error: { code: 'internal_error', message: 'internal error; request id abc-123' } });
    expect(result.body).not.toContain('postgres');
    expect(logged).toHaveBeenCalledWith(expect.objectContaining({ request_id: 'abc-123', route: 'GET /boom' }), secret);
  });
});

describe('createHttpApi idempotency keys', () => {
  const solutions = (key: string | undefined, candidate = CANDIDATE_UID) =>
    apiEvent({
      method: 'POST',
      path: `/tasks/${TASK_UID}/solutions`,
      resource: '/tasks/{task_uid}/solutions',
      pathParameters: { task_uid: TASK_UID },
      body: { candidate_uid: candidate },
      headers: { 'Content-Type': 'application/json', ...(key === undefined ? {} : { 'Idempotency-Key': key }) },
    });

  it('answers 400 naming the header for a malformed key, before touching the table', async () => {
    const { handler } = api(routes);
    for (const key of ['', 'a b', 'x'.repeat(129), 'ключ']) {
      const result = await handler(solutions(key));
      expect(result.statusCode).toBe(400);
      expect(bodyOf(result).error).toMatchObject({ code: 'invalid_header', field: 'headers.Idempotency-Key' });
    }
    expect(ddb.calls()).toHaveLength(0);
    expect(ok).not.toHaveBeenCalled();
  });

  it('runs without a record when the client sends no key', async () => {
    const { handler } = api(routes);
    const result = await handler(solutions(undefined));
    expect(result.statusCode).toBe(200);
    expect(ddb.calls()).toHaveLength(0);
  });

  it('claims the key per route, runs the handler and records its answer', async () => {
    ddb.on(PutCommand).resolves({});
    ddb.on(UpdateCommand).resolves({});
    const { handler } = api(routes);
    const result = await handler(solutions('key-1'));
    expect(result.statusCode).toBe(200);
    const put = ddb.commandCalls(PutCommand)[0]!.args[0].input;
    expect(put.Item).toMatchObject({ pk: 'IDEMPOTENCY#POST /tasks/{task_uid}/solutions#key-1', sk: 'IDEMPOTENCY', status: 'IN_PROGRESS' });
    const update = ddb.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(update.ExpressionAttributeValues).toMatchObject({ ':status': 200, ':body': result.body });
  });

  it('replays a completed record without running the handler', async () => {
    const failed = Object.assign(new Error('conditional'), { name: 'ConditionalCheckFailedException' });
    let stored: Record<string, unknown> | undefined;
    ddb.on(GetCommand).callsFake(async () => ({ Item: stored }));
    // Learn the request hash the router computes by letting a first call through.
    ddb.on(PutCommand).resolvesOnce({}).rejects(failed);
    ddb.on(UpdateCommand).resolves({});
    const { handler } = api(routes);
    const first = await handler(solutions('key-2'));
    const claim = ddb.commandCalls(PutCommand)[0]!.args[0].input.Item!;
    stored = { ...claim, status: 'COMPLETED', response_status: first.statusCode, response_body: first.body };
    const second = await handler(solutions('key-2'));
    expect(ok).toHaveBeenCalledTimes(1);
    expect(second.statusCode).toBe(first.statusCode);
    expect(second.body).toBe(first.body);
    expect(second.headers).toMatchObject({ 'idempotent-replayed': 'true' });
  });
});
