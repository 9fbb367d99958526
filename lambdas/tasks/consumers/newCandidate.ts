import type { ConsumerContext, Effect } from '../../shared/messaging/index.js';
import type { EventOf } from '../../shared/registry/index.js';
import { candidateFromEvent } from '../domain/candidate.js';
import { candidateItem } from '../store.js';

/**
 * `NewCandidate` v0: remember the candidate, so tasks may be assigned to it. A plain Put: the
 * runtime writes the processed marker in the same transaction, so a redelivery is a no-op.
 */
export async function onNewCandidate(event: EventOf<'NewCandidate', '0'>, ctx: ConsumerContext): Promise<Effect> {
  const candidate = candidateFromEvent(event.payload, event.produced_at);
  return [{ Put: { TableName: ctx.tableName, Item: candidateItem(candidate) } }];
}
