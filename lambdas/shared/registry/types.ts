import type { EventCatalog } from './generated/types.js';

/** Every event the platform knows. Checked against the generated catalog below. */
export type EventName =
  | 'TaskSolved'
  | 'NewCandidate'
  | 'ManagerUpdated'
  | 'TaskUpdated'
  | 'TaskUpdateRequested'
  | 'TaskAssigned'
  | 'TaskCreated';

/** The three services; `producer` of an event is one of them. */
export type ServiceName = 'hiring' | 'tasks' | 'bonus';

/** The published versions of event `N`, e.g. `'0' | '1'` for `ManagerUpdated`. */
export type EventVersion<N extends EventName> = keyof EventCatalog[N] & string;

/** The full typed envelope of event `N` version `V` (generated from its schema). */
export type EventOf<N extends EventName, V extends EventVersion<N>> = EventCatalog[N][V];

/** The `payload` of event `N` version `V`. */
export type EventPayload<N extends EventName, V extends EventVersion<N>> = EventOf<N, V> extends { payload: infer P } ? P : never;

/** Any valid event: the union of every `EventOf<N, V>`; narrow it on `event_name` and `event_version`. */
export type AnyEvent = { [N in EventName]: { [V in EventVersion<N>]: EventOf<N, V> }[EventVersion<N>] }[EventName];

/** One validation problem: the dotted field path (`payload.task_uid`) and what is wrong with it. */
export interface ValidationIssue {
  readonly field: string;
  readonly reason: string;
}

// Compile-time guard: EventName must list exactly the events that have schemas.
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const eventNamesMatchSchemas: Exact<EventName, keyof EventCatalog> = true;
void eventNamesMatchSchemas;

/** Envelope fields `buildEvent` takes from the caller. */
export interface BuildEventMeta {
  /** The producing service; must be the one the schema names. */
  readonly producer: ServiceName;
  /** Id shared by everything caused by the same original action (uuid v4). */
  readonly correlationId?: string;
  /** Id of the message that directly caused this event (uuid v4). */
  readonly causationId?: string;
  /** Defaults to `crypto.randomUUID()`; pass one to make a retry produce the same event. */
  readonly eventId?: string;
  /** Defaults to now. */
  readonly producedAt?: Date;
}
