import type { ResourceName } from './templateIndex.js';

/** A JSON Schema or example, as read from a file. */
export type Json = Record<string, unknown>;

/** The service that puts an event version on the bus at the documented steps: its outbox publisher. */
export interface EventProducerDoc {
  readonly service: string;
  /** The function fed by the service table's stream (filtered to outbox inserts) that calls PutEvents. */
  readonly publisher: ResourceName;
  readonly table: ResourceName;
  /** EventBridge `Source` of its events. */
  readonly source: string;
}

/** One consumer of an event version: rule -> queue (+ DLQ) -> function. */
export interface EventConsumerDoc {
  readonly service: string;
  /** The rule's `EventPattern`, as the template has it. */
  readonly rule: ResourceName & { readonly pattern: Json; readonly description?: string };
  readonly queue: ResourceName & { readonly visibilityTimeoutSeconds?: number; readonly retentionSeconds?: number; readonly maxReceiveCount?: number };
  readonly deadLetterQueue?: ResourceName & { readonly retentionSeconds?: number };
  readonly function: ResourceName;
  /** The event versions the same rule matches (a consumer handling v0 and v1 has one rule for both). */
  readonly versions: readonly string[];
}

/** One event version of `schemas/`, and what the documented steps do with it. */
export interface EventVersionDoc {
  /** `TaskCreated.v1`: the Schema Registry's name, the AsyncAPI channel and message id. */
  readonly key: string;
  readonly name: string;
  readonly version: string;
  /** `Business`, `CUD stream`, `CUD delta` (the schema description's first words), when it says. */
  readonly kind?: string;
  readonly description: string;
  /** The service the schema allows as `producer`. */
  readonly owner: string;
  readonly schemaFile: string;
  readonly schema: Json;
  readonly exampleFile: string;
  readonly example: Json;
  /** In the EventBridge Schema Registry at the documented steps. */
  readonly registered: boolean;
  readonly producers: readonly EventProducerDoc[];
  readonly consumers: readonly EventConsumerDoc[];
}

/** A route of a service API at the documented steps. */
export interface RouteDoc {
  readonly service: string;
  readonly method: string;
  /** Resource path with `{param}` placeholders. */
  readonly path: string;
  /** Under `/internal/`: for the other services only (their functions are granted `execute-api:Invoke` there). */
  readonly internal: boolean;
  /** API Gateway `AuthorizationType` (`AWS_IAM`: SigV4). */
  readonly authorization: string;
  /** Honours `Idempotency-Key` (lambdas/shared/http). */
  readonly idempotent: boolean;
  readonly pathParameters: readonly string[];
  readonly body?: { readonly file: string; readonly schema: Json };
  /** Services whose functions may invoke this route by IAM grant (other than through the console or an operator). */
  readonly callers: readonly string[];
  /** The `AWS::ApiGateway::Method` resource. */
  readonly resource: ResourceName;
}

/** One service API (API Gateway REST API) at the documented steps. */
export interface ApiDoc {
  readonly service: string;
  readonly api: ResourceName & { readonly description?: string };
  readonly stage: string;
  readonly routes: readonly RouteDoc[];
}

/** One fact of a step's state, e.g. a consumer rule or a route; `event` links it to an event version. */
export interface StateItem {
  readonly kind: 'schema' | 'producer' | 'consumer' | 'route' | 'call' | 'behaviour';
  readonly text: string;
  readonly event?: string;
}

/** One step of a link's migration: what it adds and removes relative to the step before. */
export interface TimelineStep {
  readonly step: number;
  /** MIGRATIONS.md's "what changes" for the step. */
  readonly note: string;
  readonly added: readonly StateItem[];
  readonly removed: readonly StateItem[];
}

/** One of the six link migrations, walked step by step. */
export interface LinkTimeline {
  readonly id: string;
  /** Context key, e.g. `migration.task-created-v1`. */
  readonly key: string;
  readonly title: string;
  /** The steps of the other links during the walk (final, except those a constraint holds back). */
  readonly others: Readonly<Record<string, number>>;
  readonly start: readonly StateItem[];
  readonly steps: readonly TimelineStep[];
}

/** Everything the three outputs are rendered from. */
export interface Catalog {
  readonly title: string;
  readonly version: string;
  /** The context key and step of every link the documents describe. */
  readonly steps: Readonly<Record<string, number>>;
  readonly final: boolean;
  readonly bus: ResourceName;
  readonly events: readonly EventVersionDoc[];
  readonly apis: readonly ApiDoc[];
  readonly links: readonly LinkTimeline[];
}
