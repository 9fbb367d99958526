/**
 * The runtime's message trace (`LocalRuntimeOptions.trace`, `npm start -- --trace`): one step of a
 * message's path per call, as data, so a test can follow messages without parsing log text;
 * {@link formatTrace} gives the one-line form the CLI prints.
 */

/** `<detail-type> <event_id>` of an EventBridge event (the domain event's own id survives republishing). */
export type EventLabel = string;

export type TraceStep =
  /** An event the bus accepted. */
  | { readonly kind: 'put'; readonly bus: string; readonly event: EventLabel }
  /** A message the runtime sent to a queue (rule targets, schedules, stream failures). */
  | { readonly kind: 'sent'; readonly queue: string; readonly messageId: string; readonly event: EventLabel }
  /** A batch an SQS mapping received. */
  | { readonly kind: 'received'; readonly mapping: string; readonly messages: readonly { readonly messageId: string; readonly receiveCount: string; readonly event: EventLabel }[] }
  /** Messages a mapping deleted: handled, or matching none of its filters. */
  | { readonly kind: 'deleted' | 'filtered'; readonly mapping: string; readonly messageIds: readonly string[] }
  /** Messages a mapping left on the queue (a failed invocation or batch item failures). */
  | { readonly kind: 'left'; readonly mapping: string; readonly messageIds: readonly string[] }
  /** A receive the SDK retried: what an earlier attempt received, if it reached the server, is invisible until its visibility timeout. */
  | { readonly kind: 'receive-retried'; readonly mapping: string; readonly attempts: number };

export function eventLabel(event: { readonly 'detail-type'?: string; readonly detail?: unknown }): EventLabel {
  const id = (event.detail as { event_id?: unknown } | undefined)?.event_id;
  return `${event['detail-type'] ?? '?'} ${typeof id === 'string' ? id : '?'}`;
}

/** {@link eventLabel} of a message body, which need not be an event (a deferred call, plain text). */
export function bodyLabel(body: string): EventLabel {
  try {
    const parsed: unknown = JSON.parse(body);
    return parsed !== null && typeof parsed === 'object' ? eventLabel(parsed as Parameters<typeof eventLabel>[0]) : '? ?';
  } catch {
    return `(${body.length} bytes, not JSON)`;
  }
}

export function formatTrace(step: TraceStep): string {
  switch (step.kind) {
    case 'put':
      return `put on ${step.bus}: ${step.event}`;
    case 'sent':
      return `sent to ${step.queue}: ${step.messageId} ${step.event}`;
    case 'received':
      return `${step.mapping}: received ${step.messages.map((m) => `${m.messageId}(${m.receiveCount}) ${m.event}`).join(', ')}`;
    case 'deleted':
      return `${step.mapping}: deleting ${step.messageIds.join(' ')}`;
    case 'filtered':
      return `${step.mapping}: matches no filter ${step.messageIds.join(' ')}`;
    case 'left':
      return `${step.mapping}: left on the queue ${step.messageIds.join(' ')}`;
    case 'receive-retried':
      return `${step.mapping}: receive took ${step.attempts} attempts`;
  }
}
