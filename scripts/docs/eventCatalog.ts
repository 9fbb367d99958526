import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { EVENT_SOURCE_PREFIX, eventSource, OUTBOX_ITEM_TYPE } from '../../lambdas/shared/messaging/constants.js';
import { producedEvents } from '../../lambdas/shared/migrations/plan.js';
import type { MigrationSteps } from '../../lambdas/shared/migrations/steps.js';
import { validateEvent } from '../../lambdas/shared/registry/index.js';
import { readSchemaCatalog } from '../../lib/schemaCatalog.js';
import type { ResourceName, TemplateIndex, TemplateResource } from './templateIndex.js';
import type { EventConsumerDoc, EventProducerDoc, EventVersionDoc, Json } from './types.js';

/** Where each event version's example lives: the fixtures the schema tests validate too. */
export const EXAMPLES_DIR = 'test/fixtures/events';

/** The custom bus the services publish to (the template's only `AWS::Events::EventBus`). */
export function busOf(templates: TemplateIndex): TemplateResource {
  const buses = templates.ofType('AWS::Events::EventBus');
  if (buses.length !== 1) throw new Error(`expected one event bus in the templates, found ${buses.length}`);
  return buses[0]!;
}

/**
 * Every outbox publisher of the app, by service: a function fed by a table stream whose filter
 * keeps only outbox inserts (`item_type = outbox`), as `OutboxPublisher` wires it.
 */
export function outboxPublishers(templates: TemplateIndex): Map<string, EventProducerDoc> {
  const publishers = new Map<string, EventProducerDoc>();
  for (const mapping of templates.ofType('AWS::Lambda::EventSourceMapping')) {
    const table = templates.target(mapping.stack, mapping.properties.EventSourceArn);
    if (table?.type !== 'AWS::DynamoDB::Table') continue;
    const filters = (mapping.properties.FilterCriteria as { Filters?: Array<{ Pattern: string }> } | undefined)?.Filters ?? [];
    const outboxOnly = filters.some((f) => {
      const itemType = (JSON.parse(f.Pattern) as { dynamodb?: { NewImage?: { item_type?: { S?: unknown } } } }).dynamodb?.NewImage?.item_type?.S;
      return Array.isArray(itemType) && itemType.length === 1 && itemType[0] === OUTBOX_ITEM_TYPE;
    });
    if (!outboxOnly) continue;
    const fn = templates.target(mapping.stack, mapping.properties.FunctionName);
    if (!fn) throw new Error(`${mapping.logicalId}: the outbox stream mapping names no function of the template`);
    const service = templates.serviceOf(fn);
    if (publishers.has(service)) throw new Error(`two outbox publishers for ${service}`);
    publishers.set(service, { service, publisher: templates.nameOf(fn), table: templates.nameOf(table, 'TableName'), source: eventSource(service) });
  }
  return publishers;
}

/** One consumer rule of the bus with its chain, and the event name it matches. */
interface RuleChain extends EventConsumerDoc {
  readonly eventName: string;
  readonly producer: string;
}

function seconds(value: unknown): number | undefined {
  return typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : undefined;
}

/** A rule's pattern as `EventConsumer` writes it: one source, one detail-type, a list of versions. */
function parsePattern(rule: TemplateResource): { producer: string; eventName: string; versions: string[] } {
  const pattern = rule.properties.EventPattern as { source?: unknown[]; 'detail-type'?: unknown[]; detail?: { event_version?: unknown[] } } | undefined;
  const [source] = pattern?.source ?? [];
  const [eventName] = pattern?.['detail-type'] ?? [];
  const versions = pattern?.detail?.event_version ?? [];
  if (
    pattern?.source?.length !== 1 || typeof source !== 'string' || !source.startsWith(EVENT_SOURCE_PREFIX) ||
    pattern['detail-type']?.length !== 1 || typeof eventName !== 'string' ||
    versions.length === 0 || !versions.every((v) => typeof v === 'string')
  ) {
    throw new Error(`${rule.logicalId}: the catalog reads rules of the form {source: [hiring-events.<producer>], detail-type: [name], detail: {event_version: [...]}}, got ${JSON.stringify(pattern)}`);
  }
  return { producer: source.slice(EVENT_SOURCE_PREFIX.length), eventName, versions: versions as string[] };
}

/** Every rule on `bus` followed to its queue, DLQ and the function the queue feeds. */
export function consumerChains(templates: TemplateIndex, bus: TemplateResource): RuleChain[] {
  const mappings = templates.ofType('AWS::Lambda::EventSourceMapping');
  return templates
    .ofType('AWS::Events::Rule')
    .filter((rule) => templates.target(rule.stack, rule.properties.EventBusName) === bus)
    .flatMap((rule) => {
      const { producer, eventName, versions } = parsePattern(rule);
      const targets = (rule.properties.Targets as Array<{ Arn: unknown; DeadLetterConfig?: { Arn: unknown } }> | undefined) ?? [];
      return targets.map((target): RuleChain => {
        const queue = templates.target(rule.stack, target.Arn);
        if (queue?.type !== 'AWS::SQS::Queue') throw new Error(`${rule.logicalId}: the catalog follows rules to SQS queues; this one targets ${JSON.stringify(target.Arn)}`);
        const dlq = target.DeadLetterConfig ? templates.target(rule.stack, target.DeadLetterConfig.Arn) : undefined;
        const redrive = queue.properties.RedrivePolicy as { maxReceiveCount?: unknown } | undefined;
        const mapping = mappings.find((m) => templates.target(m.stack, m.properties.EventSourceArn) === queue);
        const fn = mapping && templates.target(mapping.stack, mapping.properties.FunctionName);
        if (!fn) throw new Error(`${rule.logicalId}: no function reads its queue ${queue.logicalId}`);
        const description = typeof rule.properties.Description === 'string' ? rule.properties.Description : undefined;
        return {
          eventName,
          producer,
          service: templates.serviceOf(fn),
          versions,
          rule: { ...templates.nameOf(rule, 'Name'), pattern: rule.properties.EventPattern as Json, ...(description ? { description } : {}) },
          queue: {
            ...templates.nameOf(queue, 'QueueName'),
            visibilityTimeoutSeconds: seconds(queue.properties.VisibilityTimeout),
            retentionSeconds: seconds(queue.properties.MessageRetentionPeriod),
            maxReceiveCount: seconds(redrive?.maxReceiveCount),
          },
          ...(dlq ? { deadLetterQueue: { ...templates.nameOf(dlq, 'QueueName'), retentionSeconds: seconds(dlq.properties.MessageRetentionPeriod) } } : {}),
          function: templates.nameOf(fn, 'FunctionName'),
        };
      });
    });
}

/** `Business event: ...` -> `Business`; `CUD stream event: ...` -> `CUD stream`. */
function kindOf(description: string): string | undefined {
  return /^([A-Z][\w ]*?) event\b/.exec(description)?.[1];
}

/**
 * Every event version of `schemas/` with its example and what the templates (and, for producers,
 * the migration plan) do with it at `steps`: registered or not, who publishes it, who consumes it.
 */
export function buildEventDocs(templates: TemplateIndex, steps: MigrationSteps, root: string): { bus: ResourceName; events: EventVersionDoc[] } {
  const bus = busOf(templates);
  const publishers = outboxPublishers(templates);
  const chains = consumerChains(templates, bus);
  const registered = new Set(templates.ofType('AWS::EventSchemas::Schema').map((s) => String(s.properties.SchemaName)));
  const produced = producedEvents(steps);
  for (const service of Object.keys(produced)) {
    if (!publishers.has(service)) throw new Error(`the plan has ${service} publish events, but the template has no outbox publisher for it`);
  }

  const events = readSchemaCatalog(join(root, 'schemas')).map((file): EventVersionDoc => {
    const key = `${file.eventName}.v${file.version}`;
    const exampleFile = join(root, EXAMPLES_DIR, `${key}.json`);
    if (!existsSync(exampleFile)) throw new Error(`${key} has no example: add ${relative(root, exampleFile)} (a valid event of that version)`);
    const example = JSON.parse(readFileSync(exampleFile, 'utf8')) as Json;
    validateEvent(example); // throws with the reason when the example does not match its schema
    const properties = file.content.properties as { producer?: { enum?: string[] } };
    const owner = properties.producer?.enum?.[0];
    if (!owner) throw new Error(`${key}: the schema pins no producer`);
    const description = String(file.content.description ?? '');
    const producers = Object.entries(produced)
      .filter(([, events]) => events.some((e) => e.name === file.eventName && e.versions.includes(file.version)))
      .map(([service]) => {
        if (service !== owner) throw new Error(`the plan has ${service} publish ${key}, whose schema allows only ${owner}`);
        return publishers.get(service)!;
      });
    const consumers = chains
      .filter((c) => c.eventName === file.eventName && c.versions.includes(file.version))
      .map(({ eventName: _name, producer, ...consumer }) => {
        if (producer !== owner) throw new Error(`${consumer.rule.logicalId} takes ${key} from ${producer}, whose schema allows only ${owner}`);
        return consumer;
      })
      .sort((a, b) => a.service.localeCompare(b.service) || a.rule.path.localeCompare(b.rule.path));
    return {
      key,
      name: file.eventName,
      version: file.version,
      ...(kindOf(description) ? { kind: kindOf(description) } : {}),
      description,
      owner,
      schemaFile: `schemas/${file.eventName}/${file.version}.json`,
      schema: file.content,
      exampleFile: relative(root, exampleFile),
      example,
      registered: registered.has(key),
      producers,
      consumers,
    };
  });
  return { bus: templates.nameOf(bus, 'Name'), events };
}

/** On the bus at the documented steps: registered, published or consumed. */
export const isOnBus = (event: EventVersionDoc): boolean => event.registered || event.producers.length > 0 || event.consumers.length > 0;
