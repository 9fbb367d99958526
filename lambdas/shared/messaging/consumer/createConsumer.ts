import { getNumberFromEnv, getStringFromEnv } from '@aws-lambda-powertools/commons/utils/env';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { logger, metrics } from '../../observability.js';
import { DEFAULT_PARK_BASE_DELAY_SECONDS, DEFAULT_PARK_MAX_ATTEMPTS, MAX_DELAY_SECONDS } from '../constants.js';
import { lazySendMessage } from '../lazySendMessage.js';
import { documentClient } from '../../clients/index.js';
import { processBatch } from './processBatch.js';
import { DEFAULT_TRANSACTION_RETRY } from './retryBudget.js';
import type { ConsumerOptions, ConsumerRuntime } from './types.js';

/**
 * Builds the SQS handler of an event consumer (`processBatch`). A record is reported as a batch
 * item failure only when it must be retried by SQS (transient), never because another record
 * failed.
 *
 * Per record: body (EventBridge event) -> `detail` -> `validateEvent` -> `handlers[name][version]`.
 * A per-record handler (a function) returns its effect, written with the processed marker in one
 * transaction per record. A batch handler (`{ reads, decide }`) is run for the whole batch: one
 * `BatchGetItem`, one `TransactWriteItems` with every marker and effect (see `runBatchHandlers`).
 * Failure classes: poison -> DLQ, prerequisite -> parked, transient -> retried (`settleFailure`).
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
 *       '0': {
 *         reads: (event) => [managerKey(event.payload.task_manager_uid)],
 *         decide: (event, read) => {
 *           const manager = read.get<Manager>(managerKey(event.payload.task_manager_uid));
 *           if (!manager) return prerequisiteMissing('manager unknown');
 *           return { writes: [ledgerPut(event, manager)], increments: [{ key: balanceKey(manager), add: { balance: 100 } }] };
 *         },
 *       },
 *     },
 *     ManagerUpdated: { '1': async (event, ctx) => [lastWriteWinsPut({ tableName: ctx.tableName, item: managerItem(event) })] },
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
      tableName: options.tableName ?? getStringFromEnv({ key: 'TABLE_NAME' }),
      queueUrl: options.queueUrl ?? getStringFromEnv({ key: 'QUEUE_URL' }),
      deadLetterQueueUrl: options.deadLetterQueueUrl ?? getStringFromEnv({ key: 'DEAD_LETTER_QUEUE_URL' }),
      parking: {
        maxAttempts: options.parking?.maxAttempts ?? getNumberFromEnv({ key: 'PARK_MAX_ATTEMPTS', defaultValue: DEFAULT_PARK_MAX_ATTEMPTS }),
        baseDelaySeconds: options.parking?.baseDelaySeconds ?? getNumberFromEnv({ key: 'PARK_BASE_DELAY_SECONDS', defaultValue: DEFAULT_PARK_BASE_DELAY_SECONDS }),
        maxDelaySeconds: Math.min(MAX_DELAY_SECONDS, options.parking?.maxDelaySeconds ?? MAX_DELAY_SECONDS),
      },
      retry: { ...DEFAULT_TRANSACTION_RETRY, ...options.retry },
      doc: options.clients?.doc ?? documentClient(),
      sendMessage: lazySendMessage(options.clients?.sqs),
      logger: logger.createChild({ persistentKeys: { consumer: options.consumer } }),
      now: options.now ?? (() => new Date()),
    };
    return runtime;
  };

  return async (event, context) => {
    const current = resolveRuntime();
    try {
      return await processBatch(event.Records, current, context);
    } finally {
      metrics.publishStoredMetrics();
    }
  };
}
