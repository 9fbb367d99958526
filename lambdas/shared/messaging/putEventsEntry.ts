import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { eventSource } from './constants.js';

/** The minimum an envelope needs to be put on the bus. */
export interface EnvelopeLike {
  event_id: string;
  event_name: string;
  producer: string;
}

/**
 * The PutEvents entry for an envelope: `Source = hiring-events.<producer>`,
 * `DetailType = event_name`, `Detail` = the whole envelope (consumers validate it again).
 *
 * @example
 * ```ts
 * await eventBridge.send(new PutEventsCommand({ Entries: [putEventsEntry(event, 'hiring-events')] }));
 * ```
 */
export function putEventsEntry(envelope: EnvelopeLike, eventBusName: string): PutEventsRequestEntry {
  return {
    EventBusName: eventBusName,
    Source: eventSource(envelope.producer),
    DetailType: envelope.event_name,
    Detail: JSON.stringify(envelope),
  };
}
