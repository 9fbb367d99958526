/**
 * DynamoDB Streams event source mapping, as Lambda runs it, against DynamoDB Local's stream API:
 * - each shard read 4 times a second while it has nothing new (Lambda's rate);
 * - shards from DescribeStream (re-read every second once every known shard has ended, else every 10
 *   seconds: new shards are children of ended ones; a child shard waits for its parent to finish,
 *   shards found after start are read from TRIM_HORIZON), `StartingPosition` for the initial ones;
 * - batches of up to `BatchSize` records (gathered for `MaximumBatchingWindowInSeconds`), filtered
 *   with `FilterCriteria` (records matching no filter are skipped, as Lambda does);
 * - on a function error: `BisectBatchOnFunctionError` splits the batch in two (not counted as a
 *   retry), otherwise the batch is retried up to `MaximumRetryAttempts` (-1: forever) while its
 *   oldest record is younger than `MaximumRecordAgeInSeconds` (-1: forever);
 * - `ReportBatchItemFailures`: the batch resumes from the lowest failed sequence number;
 * - exhausted or expired batches go to `DestinationConfig.OnFailure` (an SQS queue) as an
 *   invocation record with `DDBStreamBatchInfo` (shard, sequence range, arrival times), never the
 *   records themselves, then the shard moves on.
 */
import { randomUUID } from 'node:crypto';
import {
  DescribeStreamCommand,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type _Record,
  type DynamoDBStreamsClient,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import { LOCAL_REGION } from './assembly.js';
import type { EventMatcher } from './event-pattern.js';
import { sleep } from './sqs-poller.js';

export interface StreamPollerOptions {
  readonly key: string;
  readonly streamArn: string;
  readonly functionId: string;
  readonly functionArn: string;
  readonly startingPosition?: 'LATEST' | 'TRIM_HORIZON';
  readonly batchSize?: number;
  readonly maxBatchingWindowSeconds?: number;
  readonly filters?: readonly EventMatcher[];
  readonly reportBatchItemFailures?: boolean;
  readonly bisectBatchOnFunctionError?: boolean;
  readonly maxRetryAttempts?: number;
  readonly maxRecordAgeSeconds?: number;
  /** ARN of the SQS on-failure destination. */
  readonly onFailureArn?: string;
  readonly streams: DynamoDBStreamsClient;
  readonly invoke: (functionId: string, event: unknown) => Promise<unknown>;
  readonly sendToQueue: (arn: string, body: string) => Promise<void>;
  readonly onError?: (message: string) => void;
  /** Pause between empty polls. Default 250 ms (4 reads a second). */
  readonly idleMs?: number;
}

/** A stream record in the shape Lambda hands to a function. */
export interface StreamRecord {
  eventID: string;
  eventName: string;
  eventVersion: string;
  eventSource: string;
  awsRegion: string;
  dynamodb: Record<string, unknown> & { SequenceNumber: string; ApproximateCreationDateTime: number };
  eventSourceARN: string;
  userIdentity?: unknown;
}

export function toStreamRecord(record: _Record, streamArn: string): StreamRecord {
  const db = record.dynamodb ?? {};
  const created = db.ApproximateCreationDateTime instanceof Date ? db.ApproximateCreationDateTime.getTime() / 1000 : Number(db.ApproximateCreationDateTime ?? Date.now() / 1000);
  const dynamodb: StreamRecord['dynamodb'] = { ApproximateCreationDateTime: Math.floor(created), SequenceNumber: db.SequenceNumber ?? '' };
  for (const field of ['Keys', 'NewImage', 'OldImage', 'SizeBytes', 'StreamViewType'] as const) {
    if (db[field] !== undefined) dynamodb[field] = db[field];
  }
  return {
    eventID: record.eventID ?? randomUUID(),
    eventName: record.eventName ?? 'INSERT',
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: record.awsRegion ?? LOCAL_REGION,
    dynamodb,
    eventSourceARN: streamArn,
    ...(record.userIdentity ? { userIdentity: record.userIdentity } : {}),
  };
}

interface ShardState {
  readonly shard: Shard;
  iterator?: string;
  done: boolean;
  lastSequence?: string;
  initialType: 'LATEST' | 'TRIM_HORIZON';
  /** A trimmed-data error was answered by re-positioning once; a second in a row is a real failure. */
  retriedTrim?: boolean;
}

export class StreamPoller {
  private readonly abort = new AbortController();
  private readonly shards = new Map<string, ShardState>();
  private loopPromise?: Promise<void>;
  private lastDescribe = 0;
  private started = false;
  private lastRound = 0;
  private processing = 0;

  constructor(readonly options: StreamPollerOptions) {}

  /** Starts polling; resolves once the initial shard iterators are positioned (so LATEST means "from now"). */
  async start(): Promise<this> {
    await this.refreshShards();
    await Promise.all([...this.shards.values()].map((s) => this.position(s)));
    this.started = true;
    this.loopPromise = this.loop();
    return this;
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loopPromise;
  }

  private get running(): boolean {
    return !this.abort.signal.aborted;
  }

  /** True while a batch is being processed or the last polling round read records. */
  get busy(): boolean {
    return this.processing > 0 || this.lastRound > 0;
  }

  private report(message: string): void {
    (this.options.onError ?? ((m: string) => process.stderr.write(`[local stream poller] ${m}\n`)))(`${this.options.key}: ${message}`);
  }

  private async refreshShards(): Promise<void> {
    this.lastDescribe = Date.now();
    let exclusiveStartShardId: string | undefined;
    do {
      const { StreamDescription } = await this.options.streams.send(
        new DescribeStreamCommand({ StreamArn: this.options.streamArn, ExclusiveStartShardId: exclusiveStartShardId }),
      );
      for (const shard of StreamDescription?.Shards ?? []) {
        if (!shard.ShardId || this.shards.has(shard.ShardId)) continue;
        const initialType = this.started ? 'TRIM_HORIZON' : (this.options.startingPosition ?? 'LATEST');
        this.shards.set(shard.ShardId, { shard, done: false, initialType });
      }
      exclusiveStartShardId = StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStartShardId);
  }

  private async position(state: ShardState): Promise<void> {
    const { ShardIterator } = await this.options.streams.send(
      new GetShardIteratorCommand({
        StreamArn: this.options.streamArn,
        ShardId: state.shard.ShardId,
        ShardIteratorType: state.lastSequence ? 'AFTER_SEQUENCE_NUMBER' : state.initialType,
        SequenceNumber: state.lastSequence,
      }),
    );
    state.iterator = ShardIterator;
    if (!ShardIterator) state.done = true;
  }

  private async loop(): Promise<void> {
    while (this.running) {
      let got = 0;
      try {
        const allEnded = [...this.shards.values()].every((state) => state.done);
        if (Date.now() - this.lastDescribe > (allEnded ? 1_000 : 10_000)) await this.refreshShards();
        for (const state of this.shards.values()) {
          if (state.done || !this.running) continue;
          const parent = state.shard.ParentShardId ? this.shards.get(state.shard.ParentShardId) : undefined;
          if (parent && !parent.done) continue;
          got += await this.pollShard(state);
        }
      } catch (error) {
        if (!this.running) return;
        this.report(`poll failed: ${(error as Error).message}`);
      }
      this.lastRound = got;
      if (got === 0) await sleep(this.options.idleMs ?? 250, this.abort.signal);
    }
  }

  /** Reads one batch from a shard and processes it; returns the number of records read. */
  private async pollShard(state: ShardState): Promise<number> {
    const batchSize = Math.min(this.options.batchSize ?? 100, 1000);
    const deadline = Date.now() + (this.options.maxBatchingWindowSeconds ?? 0) * 1000;
    const raw: _Record[] = [];
    while (this.running && !state.done && raw.length < batchSize) {
      if (!state.iterator) await this.position(state);
      if (state.done) break;
      let response: GetRecordsCommandOutput;
      try {
        response = await this.options.streams.send(new GetRecordsCommand({ ShardIterator: state.iterator, Limit: batchSize - raw.length }));
      } catch (error) {
        const name = (error as { name?: string }).name;
        if (name === 'ExpiredIteratorException') {
          state.iterator = undefined;
          continue;
        }
        // DynamoDB Local answers this for an iterator taken on a still-empty shard once other
        // tables' writes moved its global sequence counter; nothing is trimmed locally (records
        // live 24 h), so re-position: after the last record read, or from the trim horizon.
        if (name === 'TrimmedDataAccessException' && !state.retriedTrim) {
          state.retriedTrim = true;
          state.iterator = undefined;
          if (!state.lastSequence) state.initialType = 'TRIM_HORIZON';
          continue;
        }
        throw error;
      }
      state.retriedTrim = false;
      state.iterator = response.NextShardIterator;
      if (!state.iterator) state.done = true;
      raw.push(...(response.Records ?? []));
      if (Date.now() >= deadline) break;
      if (!response.Records?.length) await sleep(Math.min(this.options.idleMs ?? 250, Math.max(0, deadline - Date.now())), this.abort.signal);
    }
    if (!raw.length) return 0;
    const records = raw.map((r) => toStreamRecord(r, this.options.streamArn));
    const filters = this.options.filters;
    const selected = filters?.length ? records.filter((r) => filters.some((f) => f(r))) : records;
    if (selected.length) {
      this.processing += 1;
      try {
        await this.processBatch(state, selected);
      } finally {
        this.processing -= 1;
      }
    }
    state.lastSequence = records[records.length - 1]!.dynamodb.SequenceNumber;
    return raw.length;
  }

  private async processBatch(state: ShardState, records: StreamRecord[]): Promise<void> {
    const maxRetries = this.options.maxRetryAttempts ?? -1;
    const maxAgeMs = (this.options.maxRecordAgeSeconds ?? -1) * 1000;
    const work: Array<{ records: StreamRecord[]; attempts: number }> = [{ records, attempts: 0 }];
    while (work.length && this.running) {
      const item = work.shift()!;
      const oldest = Math.min(...item.records.map((r) => r.dynamodb.ApproximateCreationDateTime)) * 1000;
      if (maxAgeMs >= 0 && item.attempts > 0 && Date.now() - oldest > maxAgeMs) {
        await this.discard(state, item.records, 'RecordAgeExceeded', item.attempts);
        continue;
      }
      let failedFrom: number | undefined;
      let functionError = false;
      try {
        const result = await this.options.invoke(this.options.functionId, { Records: item.records });
        if (this.options.reportBatchItemFailures) failedFrom = this.firstFailure(item.records, result);
      } catch (error) {
        functionError = true;
        failedFrom = 0;
        this.report(`invocation failed for ${item.records.length} record(s): ${(error as Error).message}`);
      }
      if (failedFrom === undefined) continue;
      const remaining = item.records.slice(failedFrom);
      if (functionError && this.options.bisectBatchOnFunctionError && remaining.length > 1) {
        const half = Math.ceil(remaining.length / 2);
        work.unshift({ records: remaining.slice(0, half), attempts: item.attempts }, { records: remaining.slice(half), attempts: item.attempts });
        continue;
      }
      const attempts = item.attempts + 1;
      if (maxRetries >= 0 && attempts > maxRetries) {
        await this.discard(state, remaining, 'RetryAttemptsExhausted', attempts);
        continue;
      }
      await sleep(Math.min(1000, 50 * attempts), this.abort.signal);
      work.unshift({ records: remaining, attempts });
    }
  }

  /** Index of the lowest failed record from a batchItemFailures response; undefined when all succeeded. */
  private firstFailure(records: StreamRecord[], result: unknown): number | undefined {
    const failures = (result as { batchItemFailures?: Array<{ itemIdentifier?: unknown }> } | null)?.batchItemFailures;
    if (failures === undefined || failures === null || (Array.isArray(failures) && failures.length === 0)) return undefined;
    if (!Array.isArray(failures)) return 0;
    let lowest = records.length;
    for (const failure of failures) {
      const index = records.findIndex((r) => r.dynamodb.SequenceNumber === failure?.itemIdentifier);
      if (index < 0) return 0; // invalid identifier: the whole batch failed
      lowest = Math.min(lowest, index);
    }
    return lowest;
  }

  private async discard(state: ShardState, records: StreamRecord[], condition: string, attempts: number): Promise<void> {
    const first = records[0]!;
    const last = records[records.length - 1]!;
    const iso = (seconds: number) => new Date(seconds * 1000).toISOString();
    const body = {
      requestContext: { requestId: randomUUID(), functionArn: this.options.functionArn, condition, approximateInvokeCount: attempts },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      timestamp: new Date().toISOString(),
      DDBStreamBatchInfo: {
        shardId: state.shard.ShardId,
        startSequenceNumber: first.dynamodb.SequenceNumber,
        endSequenceNumber: last.dynamodb.SequenceNumber,
        approximateArrivalOfFirstRecord: iso(first.dynamodb.ApproximateCreationDateTime),
        approximateArrivalOfLastRecord: iso(last.dynamodb.ApproximateCreationDateTime),
        batchSize: records.length,
        streamArn: this.options.streamArn,
      },
    };
    if (!this.options.onFailureArn) {
      this.report(`${records.length} record(s) discarded (${condition}) with no on-failure destination`);
      return;
    }
    await this.options.sendToQueue(this.options.onFailureArn, JSON.stringify(body));
  }
}
