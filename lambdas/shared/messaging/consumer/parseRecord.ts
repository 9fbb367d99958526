import type { SQSRecord } from 'aws-lambda';
import type { Logger } from '@aws-lambda-powertools/logger';
import { validateEvent, type AnyEvent } from '../../registry/index.js';
import { UnsupportedEventError } from '../errors.js';
import { parseRecordBody } from './parseRecordBody.js';
import type { AnyEventHandler, ConsumerRuntime } from './types.js';

// The handler of whichever name and version the event turned out to have: the map is indexed at run time.
type AnyHandler = AnyEventHandler<never, never>;

/** An SQS record read as far as it could be: its log keys, then the event and its handler, or why not. */
/** Log keys that identify one event in every log line written while handling it. */
export interface EventLogKeys {
  event_id?: string;
  event_name?: string;
  event_version?: string;
  correlation_id?: string;
}

export type ParsedRecord = { record: SQSRecord; keys: EventLogKeys } & ({ event: AnyEvent; handler: AnyHandler } | { error: unknown });

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** Log keys read from a not-yet-validated envelope, so even a poison message is traceable. */
function logKeys(detail: unknown): EventLogKeys {
  const d = (detail ?? {}) as Record<string, unknown>;
  return { event_id: str(d.event_id), event_name: str(d.event_name), event_version: str(d.event_version), correlation_id: str(d.correlation_id) };
}

/**
 * Parses an SQS record, validates its event and finds the handler of its name and version; a
 * failure (unparsable body, invalid or unknown event, no handler) is returned as `error`, to be
 * settled like any handler failure (`settleFailure`: all of these are poison).
 *
 * @example
 * ```ts
 * const parsed = parseRecord(record, runtime);
 * if ('error' in parsed) return settleFailure(runtime, record, parsed.error, recordLogger(runtime, parsed));
 * ```
 */
export function parseRecord(record: SQSRecord, runtime: ConsumerRuntime): ParsedRecord {
  let keys: EventLogKeys = {};
  try {
    const detail = parseRecordBody(record);
    keys = logKeys(detail);
    const event = validateEvent(detail);
    const byVersion = (runtime.handlers as Record<string, Record<string, AnyHandler | undefined> | undefined>)[event.event_name];
    const handler = byVersion?.[event.event_version];
    if (!handler) throw new UnsupportedEventError(event.event_name, event.event_version, runtime.consumer);
    return { record, keys, event, handler };
  } catch (error) {
    return { record, keys, error };
  }
}

/**
 * A child logger carrying the record's message id and event keys. Records of a batch are handled
 * concurrently, so keys go on a per-record child, never on the shared logger.
 */
export function recordLogger(runtime: ConsumerRuntime, parsed: Pick<ParsedRecord, 'record' | 'keys'>): Logger {
  const keys = { messageId: parsed.record.messageId, ...parsed.keys };
  return runtime.logger.createChild({ persistentKeys: Object.fromEntries(Object.entries(keys).filter(([, v]) => v !== undefined)) });
}
