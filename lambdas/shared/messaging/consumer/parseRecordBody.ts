import type { SQSRecord } from 'aws-lambda';
import { MalformedMessageError } from '../errors.js';

/**
 * The event envelope of an SQS record fed by an EventBridge rule: the body is the whole
 * EventBridge event and the envelope is its `detail`. Not validated here.
 *
 * @throws {@link MalformedMessageError} when the body is not JSON or has no object `detail`
 *
 * @example
 * ```ts
 * const event = validateEvent(parseRecordBody(record));
 * ```
 */
export function parseRecordBody(record: SQSRecord): unknown {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch (error) {
    throw new MalformedMessageError(`body is not JSON: ${(error as Error).message}`, { cause: error });
  }
  const detail = (body as { detail?: unknown } | null)?.detail;
  if (!detail || typeof detail !== 'object' || Array.isArray(detail)) {
    throw new MalformedMessageError('body is not an EventBridge event with an object "detail"');
  }
  return detail;
}
