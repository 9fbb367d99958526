import type { Context, SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { isBatchHandler } from './batchHandlers.js';
import { parseRecord, recordLogger } from './parseRecord.js';
import { handleParsedRecord } from './processRecord.js';
import { retryBudget } from './retryBudget.js';
import { runBatchHandlers, type BatchRecord } from './runBatchHandlers.js';
import { settleFailure } from './settleFailure.js';
import type { ConsumerRuntime } from './types.js';

/**
 * Handles one SQS batch: records whose event has a batch handler are read and written together
 * (`runBatchHandlers`: one `BatchGetItem`, one `TransactWriteItems`); records with a per-record
 * handler run one by one, concurrently (`processRecord`); records that cannot be parsed or
 * dispatched are settled at once (poison -> DLQ). Both paths run side by side.
 *
 * Only records that must come back (transient failures, a failed DLQ/park send) are reported as
 * batch item failures. Both paths retry transaction conflicts and throttling in process first,
 * until `safetyMarginMs` before the function's timeout (`context.getRemainingTimeInMillis()`).
 *
 * Hand-written instead of Powertools' `BatchProcessor`: that processor hands records to a handler
 * one at a time, while the batch path needs the whole batch at once (one read, one write);
 * per-record handlers are settled with `Promise.all` over caught results, as it does.
 *
 * @example
 * ```ts
 * const response = await processBatch(event.Records, runtime, context); // { batchItemFailures: [...] }
 * ```
 */
export async function processBatch(records: readonly SQSRecord[], runtime: ConsumerRuntime, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<SQSBatchResponse> {
  const failed = new Set<string>();
  const report = (record: SQSRecord) => () => void failed.add(record.messageId);
  const work: Promise<unknown>[] = [];
  const batch: BatchRecord[] = [];
  // One budget for the invocation: in-process retries of either path end before the function's timeout.
  const budget = retryBudget(runtime.retry, context);
  for (const record of records) {
    const parsed = parseRecord(record, runtime);
    if ('error' in parsed) work.push(settleFailure(runtime, record, parsed.error, recordLogger(runtime, parsed)).catch(report(record)));
    else if (isBatchHandler(parsed.handler)) batch.push(parsed as BatchRecord);
    else work.push(handleParsedRecord(parsed, runtime, budget).catch(report(record)));
  }
  if (batch.length > 0) {
    work.push(
      runBatchHandlers(batch, runtime, budget).then((ids) => {
        for (const id of ids) failed.add(id);
      }),
    );
  }
  await Promise.all(work);
  return { batchItemFailures: records.filter((r) => failed.has(r.messageId)).map((r) => ({ itemIdentifier: r.messageId })) };
}
