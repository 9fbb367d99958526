import { eventSource } from '../../lambdas/shared/messaging/constants.js';
import { isOnBus } from './eventCatalog.js';
import type { ResourceName } from './templateIndex.js';
import type { Catalog, EventConsumerDoc, EventVersionDoc, Json } from './types.js';

/** The schema format of `schemas/` (draft-07 written with draft-04 keywords). */
const SCHEMA_FORMAT = 'application/schema+json;version=draft-07';

const cfn = (resource: ResourceName): Json => ({
  stack: resource.stack,
  logicalId: resource.logicalId,
  constructPath: resource.path,
  ...(resource.name ? { name: resource.name } : {}),
});

/** A queue's name for the SQS binding: its physical name, else its logical id (CloudFormation names it at deploy). */
const queueName = (queue: ResourceName) => queue.name ?? queue.logicalId;

function sqsBinding(consumer: EventConsumerDoc): Json {
  const { queue, deadLetterQueue } = consumer;
  return {
    bindingVersion: '0.2.0',
    queues: [
      {
        name: queueName(queue),
        ...(queue.visibilityTimeoutSeconds !== undefined ? { visibilityTimeout: queue.visibilityTimeoutSeconds } : {}),
        ...(queue.retentionSeconds !== undefined ? { messageRetentionPeriod: queue.retentionSeconds } : {}),
        ...(deadLetterQueue
          ? { redrivePolicy: { deadLetterQueue: { name: queueName(deadLetterQueue) }, ...(queue.maxReceiveCount !== undefined ? { maxReceiveCount: queue.maxReceiveCount } : {}) } }
          : {}),
        'x-cloudformation': cfn(queue),
      },
      ...(deadLetterQueue
        ? [
            {
              name: queueName(deadLetterQueue),
              ...(deadLetterQueue.retentionSeconds !== undefined ? { messageRetentionPeriod: deadLetterQueue.retentionSeconds } : {}),
              'x-cloudformation': cfn(deadLetterQueue),
            },
          ]
        : []),
    ],
  };
}

const channelRef = (event: EventVersionDoc) => ({ $ref: `#/channels/${event.key}` });
const messageRef = (event: EventVersionDoc) => ({ $ref: `#/channels/${event.key}/messages/${event.key}` });

/**
 * The AsyncAPI 3.0 document of the bus at the documented steps: one channel per event version on the
 * bus (registered, published or consumed), a `send` operation per producer (its outbox publisher)
 * and a `receive` operation per consumer (rule -> SQS queue with its DLQ -> function), each message
 * with its schema (the envelope with the version's payload) and an example.
 */
export function asyncapiDocument(catalog: Catalog): Json {
  const events = catalog.events.filter(isOnBus);
  const channels: Json = {};
  const operations: Json = {};
  const schemas: Json = {};
  for (const event of events) {
    schemas[event.key] = { schemaFormat: SCHEMA_FORMAT, schema: event.schema };
    channels[event.key] = {
      address: event.key,
      title: `${event.name} v${event.version}`,
      description:
        `${event.description}\n\nOn the bus as an EventBridge event with \`source: ${eventSource(event.owner)}\`, ` +
        `\`detail-type: ${event.name}\` and the envelope as \`detail\` (\`detail.event_version: "${event.version}"\`); ` +
        `consumer queues receive that whole EventBridge event.` +
        (event.registered ? '' : `\n\nNot in the Schema Registry at these steps.`),
      servers: [{ $ref: '#/servers/eventbridge' }],
      messages: {
        [event.key]: {
          name: event.key,
          title: `${event.name} v${event.version}`,
          ...(event.kind ? { summary: `${event.kind} event` } : {}),
          contentType: 'application/json',
          correlationId: { description: 'Shared by everything one original action caused.', location: '$message.payload#/correlation_id' },
          payload: { $ref: `#/components/schemas/${event.key}` },
          examples: [{ name: event.exampleFile.replace(/^.*\//, ''), summary: `From ${event.exampleFile}`, payload: event.example }],
        },
      },
      'x-eventbridge': { source: eventSource(event.owner), detailType: event.name, eventVersion: event.version, schemaRegistered: event.registered },
      'x-schema-file': event.schemaFile,
    };
    for (const producer of event.producers) {
      operations[`${event.key}.send.${producer.service}`] = {
        action: 'send',
        channel: channelRef(event),
        messages: [messageRef(event)],
        title: `${producer.service} publishes ${event.key}`,
        summary: `${producer.service}'s outbox publisher puts it on the bus (PutEvents, source ${producer.source}).`,
        description:
          `The event is written to the outbox in the same DynamoDB transaction as the change that causes it; ` +
          `the table stream (filtered to outbox inserts) feeds the publisher function.`,
        tags: [{ name: producer.service }],
        'x-producer': { service: producer.service, publisher: cfn(producer.publisher), table: cfn(producer.table) },
      };
    }
    for (const consumer of event.consumers) {
      operations[`${event.key}.receive.${consumer.service}.${consumer.rule.logicalId}`] = {
        action: 'receive',
        channel: channelRef(event),
        messages: [messageRef(event)],
        title: `${consumer.service} consumes ${event.key}`,
        summary: `Rule ${consumer.rule.path} -> SQS ${consumer.queue.path} -> ${consumer.function.path}.`,
        description:
          `The rule matches v${consumer.versions.join(', v')}; the queue redrives to its DLQ after ` +
          `${consumer.queue.maxReceiveCount ?? 'the default number of'} receives; the function reports batch item failures.`,
        tags: [{ name: consumer.service }],
        bindings: { sqs: sqsBinding(consumer) },
        'x-consumer': {
          service: consumer.service,
          rule: { ...cfn(consumer.rule), eventPattern: consumer.rule.pattern },
          queue: cfn(consumer.queue),
          ...(consumer.deadLetterQueue ? { deadLetterQueue: cfn(consumer.deadLetterQueue) } : {}),
          function: cfn(consumer.function),
        },
      };
    }
  }
  const services = [...new Set(events.flatMap((e) => [...e.producers.map((p) => p.service), ...e.consumers.map((c) => c.service)]))].sort();
  return {
    asyncapi: '3.0.0',
    id: 'urn:hiring-events:events',
    info: {
      title: `${catalog.title}: events`,
      version: catalog.version,
      description:
        `The events of hiring-events on the EventBridge bus \`${catalog.bus.name ?? catalog.bus.logicalId}\`, generated by \`npm run docs\` ` +
        `from \`schemas/\`, the migration plan and the synthesized CloudFormation template ` +
        `${catalog.final ? 'at the final step of every link migration' : `at ${Object.entries(catalog.steps).map(([k, v]) => `${k}=${v}`).join(', ')}`}. ` +
        'Every event is an envelope (event_id, event_name, event_version, produced_at, producer, optional correlation_id and causation_id) ' +
        "around the version's payload; both are validated on produce and on consume. Delivery is at least once: consumers deduplicate by event_id.",
      tags: services.map((name) => ({ name })),
      'x-migration-steps': catalog.steps,
    },
    defaultContentType: 'application/json',
    servers: {
      eventbridge: {
        host: 'events.{region}.amazonaws.com',
        protocol: 'https',
        title: `EventBridge bus ${catalog.bus.name ?? catalog.bus.logicalId}`,
        description: `The custom event bus (${catalog.bus.path} in ${catalog.bus.stack}); producers call PutEvents, rules deliver to SQS queues.`,
        variables: { region: { description: 'The AWS region of the deployment.' } },
        security: [{ $ref: '#/components/securitySchemes/sigv4' }],
        'x-eventbridge-bus': cfn(catalog.bus),
      },
    },
    channels,
    operations,
    components: {
      schemas,
      securitySchemes: {
        sigv4: { type: 'httpApiKey', name: 'Authorization', in: 'header', description: 'AWS Signature Version 4: IAM decides who may put events and read queues.' },
      },
    },
  };
}
