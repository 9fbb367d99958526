import {
  BatchWriteCommand,
  DeleteCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type NativeAttributeValue,
  type PutCommandInput,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';

type Item = Record<string, NativeAttributeValue>;

/** One conditional write of a backfill: an update of the item, or a put of a new row (`{ put }`). */
export type BackfillWrite = UpdateCommandInput | { put: PutCommandInput };

/** What a backfill does to one table. */
export interface BackfillSpec {
  /** Name of the backfill (part of its checkpoint rows), e.g. `split-task-titles`. */
  readonly name: string;
  readonly tableName: string;
  /** Scan filter selecting the items that may still need the change (the checkpoint rows are excluded anyway). */
  readonly filter: { expression: string; names?: Record<string, string>; values?: Record<string, NativeAttributeValue> };
  /**
   * The conditional update of one page's items (the condition makes it idempotent: an item already
   * changed fails it and is counted `alreadyDone`). `undefined` skips the item (counted `skipped`).
   * Called once per page with every item of the page (so a page can batch-read a source table).
   */
  readonly plan: (items: Item[]) => Promise<Array<BackfillWrite | undefined>>;
}

export interface BackfillOptions {
  readonly doc: DynamoDBDocumentClient;
  /** Parallel scan segments. Default 4. A resumed run must use the same number. */
  readonly segments?: number;
  /** Items evaluated per Scan page (checkpoint granularity). Default 200. */
  readonly pageSize?: number;
  /** Concurrent writes per segment. Default 16. */
  readonly concurrency?: number;
  /** Count, do not write (no checkpoints either). */
  readonly dryRun?: boolean;
  /** Forget an unfinished run's checkpoints and scan from the start. */
  readonly restart?: boolean;
  /** Progress after each page. */
  readonly onProgress?: (counts: BackfillCounts) => void;
  /** Fault injection (tests, drills): throws after this many successful writes, like a crash. */
  readonly failAfterWrites?: number;
}

export interface BackfillCounts {
  /** Items the scans evaluated (pages read so far, this run). */
  scanned: number;
  /** Items the filter selected. */
  matched: number;
  updated: number;
  /** The condition said the change is already there (a rerun, or a concurrent writer). */
  alreadyDone: number;
  /** Items the plan left alone (e.g. no source row). */
  skipped: number;
  /** Segments resumed from a checkpoint. */
  resumedSegments: number;
}

export const CHECKPOINT_PK_PREFIX = 'MIGRATION#';

/** Thrown by the fault injection of {@link BackfillOptions.failAfterWrites}. */
export class InjectedCrash extends Error {
  constructor(writes: number) {
    super(`injected crash after ${writes} writes`);
    this.name = 'InjectedCrash';
  }
}

const checkpointKey = (name: string, segment: number, total: number) => ({
  pk: `${CHECKPOINT_PK_PREFIX}${name}`,
  sk: `SEGMENT#${String(segment).padStart(3, '0')}/${String(total).padStart(3, '0')}`,
});

interface Checkpoint {
  sk: string;
  last_key?: Item;
  done?: boolean;
}

/**
 * Runs a resumable, idempotent backfill over one table with a parallel Scan.
 *
 * - Idempotent: every write is conditional (see {@link BackfillSpec.plan}); running twice changes
 *   nothing the second time (all `alreadyDone`, or not even matched by the filter).
 * - Resumable: after each page whose writes all succeeded, the segment's `LastEvaluatedKey` is
 *   saved in a checkpoint row (`MIGRATION#<name>` / `SEGMENT#<i>/<n>`) of the same table; a run
 *   that crashed resumes every unfinished segment from its checkpoint (the interrupted page is
 *   scanned again, and the conditions skip what it had already written). A run that finished
 *   leaves `done` checkpoints; the next run starts over from the beginning (so items written by
 *   old producers meanwhile are caught) and the conditions keep it a no-op for the rest.
 * - Works against AWS and DynamoDB Local alike (only Scan, Query, UpdateItem, Put/Delete).
 *
 * @example
 * ```ts
 * const counts = await runBackfill(splitTaskTitlesSpec('tasks-table'), { doc, segments: 4 });
 * ```
 */
export async function runBackfill(spec: BackfillSpec, options: BackfillOptions): Promise<BackfillCounts> {
  const { doc } = options;
  const segments = options.segments ?? 4;
  const pageSize = options.pageSize ?? 200;
  const concurrency = options.concurrency ?? 16;
  const counts: BackfillCounts = { scanned: 0, matched: 0, updated: 0, alreadyDone: 0, skipped: 0, resumedSegments: 0 };
  const pk = `${CHECKPOINT_PK_PREFIX}${spec.name}`;

  let checkpoints = await readCheckpoints(doc, spec.tableName, pk);
  const finished = checkpoints.length > 0 && checkpoints.every((c) => c.done);
  if (!options.dryRun && (options.restart || finished) && checkpoints.length > 0) {
    await deleteCheckpoints(doc, spec.tableName, pk, checkpoints);
    checkpoints = [];
  }
  if (checkpoints.length > 0 && !options.dryRun) {
    const total = Number(checkpoints[0]!.sk.split('/')[1]);
    if (total !== segments) {
      throw new Error(
        `${spec.name} on ${spec.tableName}: an unfinished run used ${total} segments; resume with --segments ${total}, or --restart to scan from the start`,
      );
    }
  }
  const bySk = new Map((options.dryRun ? [] : checkpoints).map((c) => [c.sk, c]));

  let writes = 0;
  let crashed: unknown;
  const write = async (input: BackfillWrite): Promise<void> => {
    if (crashed) throw crashed;
    try {
      if ('put' in input) await doc.send(new PutCommand(input.put));
      else await doc.send(new UpdateCommand(input));
      counts.updated += 1;
    } catch (error) {
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') {
        counts.alreadyDone += 1;
        return;
      }
      throw error;
    }
    writes += 1;
    if (options.failAfterWrites !== undefined && writes >= options.failAfterWrites && !crashed) {
      crashed = new InjectedCrash(writes);
      throw crashed;
    }
  };

  const runSegment = async (segment: number): Promise<void> => {
    const key = checkpointKey(spec.name, segment, segments);
    const checkpoint = bySk.get(key.sk);
    if (checkpoint?.done) return;
    let startKey: Item | undefined = checkpoint?.last_key;
    if (checkpoint) counts.resumedSegments += 1;
    do {
      if (crashed) throw crashed;
      const page = await doc.send(
        new ScanCommand({
          TableName: spec.tableName,
          Segment: segment,
          TotalSegments: segments,
          Limit: pageSize,
          ExclusiveStartKey: startKey,
          ConsistentRead: true,
          FilterExpression: `(${spec.filter.expression}) AND NOT begins_with(#bf_pk, :bf_prefix)`,
          ExpressionAttributeNames: { ...spec.filter.names, '#bf_pk': 'pk' },
          ExpressionAttributeValues: { ...spec.filter.values, ':bf_prefix': CHECKPOINT_PK_PREFIX },
        }),
      );
      const items = page.Items ?? [];
      counts.scanned += page.ScannedCount ?? 0;
      counts.matched += items.length;
      const planned = items.length > 0 ? await spec.plan(items) : [];
      const updates = planned.filter((u): u is BackfillWrite => u !== undefined);
      counts.skipped += planned.length - updates.length;
      if (!options.dryRun) {
        for (let i = 0; i < updates.length; i += concurrency) {
          // Settled, not Promise.all: a failed write must not return while its siblings are still
          // writing, or a run that "crashed" would go on changing rows after it reported.
          const outcomes = await Promise.allSettled(updates.slice(i, i + concurrency).map(write));
          const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
          if (failed) throw failed.reason;
        }
      } else {
        counts.updated += updates.length; // would be updated (conditions not evaluated)
      }
      startKey = page.LastEvaluatedKey;
      if (!options.dryRun) {
        await doc.send(
          new PutCommand({
            TableName: spec.tableName,
            Item: { ...key, item_type: 'migration_progress', last_key: startKey, done: startKey === undefined, updated_at: new Date().toISOString() },
          }),
        );
      }
      options.onProgress?.({ ...counts });
    } while (startKey);
  };

  const results = await Promise.allSettled(Array.from({ length: segments }, (_, s) => runSegment(s)));
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
  return counts;
}

async function readCheckpoints(doc: DynamoDBDocumentClient, tableName: string, pk: string): Promise<Checkpoint[]> {
  const { Items } = await doc.send(
    new QueryCommand({ TableName: tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk }, ConsistentRead: true }),
  );
  return (Items ?? []) as Checkpoint[];
}

async function deleteCheckpoints(doc: DynamoDBDocumentClient, tableName: string, pk: string, checkpoints: Checkpoint[]): Promise<void> {
  for (let i = 0; i < checkpoints.length; i += 25) {
    const chunk = checkpoints.slice(i, i + 25);
    if (chunk.length === 1) {
      await doc.send(new DeleteCommand({ TableName: tableName, Key: { pk, sk: chunk[0]!.sk } }));
      continue;
    }
    await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: chunk.map((c) => ({ DeleteRequest: { Key: { pk, sk: c.sk } } })) } }));
  }
}
