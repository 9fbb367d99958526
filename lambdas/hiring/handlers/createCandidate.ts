import { randomUUID } from 'node:crypto';
import { retryWrite } from '../../shared/dynamodb/index.js';
import { correlationIdOf, recordItems, type RouteHandler } from '../../shared/http/index.js';
import { writeWithOutbox } from '../../shared/messaging/index.js';
import { buildEvent } from '../../shared/registry/index.js';
import type { CandidateItem } from '../keys.js';
import { candidateKey } from '../keys.js';
import type { CreateCandidateBody, HiringContext } from '../types.js';

/**
 * `POST /candidates` {name, surname} -> 201 {candidate_uid}. The candidate, the outbox
 * `NewCandidate` v0 and (with an Idempotency-Key) the idempotency record commit in ONE transaction.
 */
export function createCandidate(ctx: HiringContext): RouteHandler<CreateCandidateBody> {
  return async (request) => {
    const { name, surname } = request.body;
    const candidate_uid = randomUUID();
    const now = ctx.now();
    const item: CandidateItem = {
      ...candidateKey(candidate_uid),
      item_type: 'candidate',
      candidate_uid,
      name,
      surname,
      created_at: now.toISOString(),
    };
    const response = { status: 201, body: { candidate_uid } };
    const event = buildEvent('NewCandidate', '0', { candidate_uid, name, surname }, {
      producer: 'hiring',
      producedAt: now,
      correlationId: correlationIdOf(request),
    });
    const write = () =>
      writeWithOutbox(ctx.doc, ctx.tableName, {
        changes: [
          { Put: { TableName: ctx.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } },
          ...recordItems(request.idempotency, response),
        ],
        events: [event],
      });
    await retryWrite(write, { what: `candidate ${candidate_uid}`, logger: request.logger });
    return response;
  };
}
