import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { OUTBOX_ITEM_TYPE } from '../constants.js';
import type { EnvelopeLike } from '../putEventsEntry.js';

/**
 * The envelope stored in an outbox row's `event` attribute, from a stream record's `NewImage`
 * (DynamoDB JSON). Returns `undefined` when the image is not an outbox row or the envelope lacks
 * the fields needed to route it. It is not re-validated here: `writeWithOutbox` validated it
 * before commit and every consumer validates it again.
 *
 * @example
 * ```ts
 * const envelope = outboxEnvelope(record.dynamodb?.NewImage);
 * ```
 */
export function outboxEnvelope(newImage: Record<string, unknown> | undefined): EnvelopeLike | undefined {
  if (!newImage) return undefined;
  const item = unmarshall(newImage as Record<string, AttributeValue>);
  if (item.item_type !== OUTBOX_ITEM_TYPE) return undefined;
  const event = item.event as Record<string, unknown> | undefined;
  if (!event || typeof event !== 'object') return undefined;
  const { event_id, event_name, producer } = event;
  if (typeof event_id !== 'string' || typeof event_name !== 'string' || typeof producer !== 'string') return undefined;
  return event as unknown as EnvelopeLike;
}
