import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { logger, metrics } from '../../observability.js';
import { DEFAULT_PARK_BASE_DELAY_SECONDS, DEFAULT_PARK_MAX_ATTEMPTS, MAX_DELAY_SECONDS } from '../constants.js';
import { lazySendMessage } from '../lazySendMessage.js';
import { requiredEnv } from '../requiredEnv.js';
import { processRecord } from './processRecord.js';
import type { ConsumerOptions, ConsumerRuntime } from './types.js';

const numberFromEnv = (name: string, fallback: number): number => {
  const value = Number(process.env[name]);
  return process.env[name] !== undefined && Number.isFinite(value) ? value : fallback;
};

/**
 * Builds the SQS handler of an event consumer. Records of a batch run concurrently and each is
 * settled on its own (Powertools `BatchProcessor`): a record is reported as a batch item failure
 * only when it must be retried by SQS (transient), never because another record failed.
 *
 * Per record: body (EventBridge event) -> `detail` -> `validateEvent` -> `handlers[name][version]`
 * -> the returned effect is written with the processed marker in one transaction.
 * See `processRecord` for the failure classes (poison -> DLQ, prerequisite -> parked,
 * transient -> retried).
 *
 * Configuration comes from the options or the environment the `EventConsumer` construct sets:
 * `TABLE_NAME`, `QUEUE_URL`, `DEAD_LETTER_QUEUE_URL`, `PARK_MAX_ATTEMPTS`, `PARK_BASE_DELAY_SECONDS`.
 *
 * @example
 * ```ts
 * export const handler = createConsumer({
 *   consumer: 'bonus',
 *   handlers: {
 *     TaskSolved: {
 *       '0': async (event, ctx) => {
 *         const manager = await findManager(ctx.doc, ctx.tableName, event.payload.task_manager_uid);
 *         if (!manager) throw new PrerequisiteMissingError('manager unknown');
 *         return [creditBonus(ctx.tableName, manager, event)];
 *       },
 *     },
 *   },
 * });
 * ```
 */
export function createConsumer(options: ConsumerOptions): (event: SQSEvent, context?: Context) => Promise<SQSBatchResponse> {
  let runtime: ConsumerRuntime | undefined;
  const resolveRuntime = (): ConsumerRuntime => {
    runtime ??= {
      consumer: options.consumer,
      handlers: options.handlers,
      tableName: options.tableName ?? requiredEnv('TABLE_NAME'),
      queueUrl: options.queueUrl ?? requiredEnv('QUEUE_URL'),
      deadLetterQueueUrl: options.deadLetterQueueUrl ?? requiredEnv('DEAD_LETTER_QUEUE_URL'),
      parking: {
        maxAttempts: options.parking?.maxAttempts ?? numberFromEnv('PARK_MAX_ATTEMPTS', DEFAULT_PARK_MAX_ATTEMPTS),
        baseDelaySeconds: options.parking?.baseDelaySeconds ?? numberFromEnv('PARK_BASE_DELAY_SECONDS', DEFAULT_PARK_BASE_DELAY_SECONDS),
        maxDelaySeconds: Math.min(MAX_DELAY_SECONDS, options.parking?.maxDelaySeconds ?? MAX_DELAY_SECONDS),
      },
      doc: options.clients?.doc ?? DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } }),
      sendMessage: lazySendMessage(options.clients?.sqs),
      logger: logger.createChild({ persistentKeys: { consumer: options.consumer } }),
      now: () => new Date(),
    };
    return runtime;
  };

  return async (event, context) => {
    const current = resolveRuntime();
    const processor = new BatchProcessor(EventType.SQS);
    try {
      return await processPartialResponse(event, (record: SQSRecord) => processRecord(record, current), processor, {
        context,
        // All records failing is an ordinary answer for SQS (all retried), not a reason to throw.
        throwOnFullBatchFailure: false,
      });
    } finally {
      metrics.publishStoredMetrics();
    }
  };
}
