/**
 * DynamoDB's transaction conflicts, which DynamoDB Local does not have: a {@link ProxyLayer} for a
 * {@link ServiceProxy} in front of DynamoDB Local that tracks the items of every transaction in
 * flight (from the moment it is forwarded until its answer comes back) and refuses what DynamoDB
 * refuses while an item is part of another transaction ("Transaction conflict handling in
 * DynamoDB", developer guide):
 *
 * - a `TransactWriteItems` with an item that an in-flight `TransactWriteItems` holds is cancelled:
 *   `TransactionCanceledException`, `CancellationReasons[i].Code = 'TransactionConflict'` at each
 *   such item's index and `None` at the others (nothing is written);
 * - a `PutItem` / `UpdateItem` / `DeleteItem` on such an item fails with
 *   `TransactionConflictException`;
 * - a `TransactGetItems` reading an item that an in-flight `TransactWriteItems`, `PutItem`,
 *   `UpdateItem`, `DeleteItem` or `BatchWriteItem` writes is cancelled like the first case;
 * - a `TransactWriteItems` repeated with the `ClientRequestToken` of one still in flight (an SDK
 *   retry after a timeout) gets `TransactionInProgressException`, which the SDK retries.
 *
 * `GetItem`, `Query`, `Scan`, `BatchGetItem` are never refused (DynamoDB lets a read and a
 * transaction on one item both succeed); `BatchWriteItem` is not refused either (DynamoDB documents
 * no conflict answer for it). Answers have DynamoDB's JSON 1.0 shape, so the AWS SDK v3 raises its
 * own `TransactionCanceledException` (with `CancellationReasons`) / `TransactionConflictException`,
 * and does NOT retry them — exactly as on AWS. A refused request never reaches DynamoDB Local.
 *
 * Items are identified by table + primary key; each table's key schema is read once with
 * `DescribeTable` and cached (dropped when the table is deleted or created again through the proxy).
 * A request the layer cannot read (malformed, unknown table) is forwarded untouched: DynamoDB Local
 * answers it with the right validation error.
 *
 * Hand-written because no npm package emulates this; it is a proxy layer (not a patch of the
 * functions' clients) so the functions run unmodified, as they do on AWS.
 *
 * @example
 * ```ts
 * const conflicts = new TransactionConflicts({ target: dynamodbLocal.endpoint });
 * const proxy = await ServiceProxy.start({ protocol: 'dynamodb', target: dynamodbLocal.endpoint, layers: [conflicts] });
 * // clients use proxy.endpoint; conflicts.counts() says how many requests were refused, by operation
 * ```
 */
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { dynamodbErrorAnswer, type ProxiedRequest, type ProxyAnswer, type ProxyLayer } from './service-proxy.js';

/** The message DynamoDB gives a conflicting item (cancellation reason and `TransactionConflictException`). */
export const TRANSACTION_CONFLICT_MESSAGE = 'Transaction is ongoing for the item';

/** Operations whose refusals {@link TransactionConflicts.counts} reports. */
export type ConflictingOperation = 'TransactWriteItems' | 'TransactGetItems' | 'PutItem' | 'UpdateItem' | 'DeleteItem';

export interface TransactionConflictsOptions {
  /** DynamoDB Local's endpoint (for `DescribeTable`). */
  readonly target: string;
  /** Called for each refused request (one call per request, whatever the number of items). */
  readonly onConflict?: (operation: ConflictingOperation, request: ProxiedRequest) => void;
  /**
   * The least time a transaction holds its items, answer included. DynamoDB Local answers a
   * transaction in a few ms, DynamoDB in tens: a test that must meet contention sets a floor so that
   * writes started together still overlap on a machine too busy to start them within those few ms.
   * @default 0 (as long as DynamoDB Local takes)
   */
  readonly minTransactionMs?: number;
}

type AttributeMap = Record<string, unknown>;
interface TransactWriteBody {
  TransactItems?: Array<Record<'Put' | 'Update' | 'Delete' | 'ConditionCheck', { TableName?: string; Item?: AttributeMap; Key?: AttributeMap } | undefined>>;
  ClientRequestToken?: string;
}
interface TransactGetBody {
  TransactItems?: Array<{ Get?: { TableName?: string; Key?: AttributeMap } }>;
}
interface SingleWriteBody {
  TableName?: string;
  Item?: AttributeMap;
  Key?: AttributeMap;
}
interface BatchWriteBody {
  RequestItems?: Record<string, Array<{ PutRequest?: { Item?: AttributeMap }; DeleteRequest?: { Key?: AttributeMap } }>>;
}

/** How many requests hold an item: a multiset, since two single writes of one item may overlap. */
class HeldItems {
  private readonly counts = new Map<string, number>();

  has(id: string): boolean {
    return this.counts.has(id);
  }

  add(ids: readonly string[]): void {
    for (const id of ids) this.counts.set(id, (this.counts.get(id) ?? 0) + 1);
  }

  remove(ids: readonly string[]): void {
    for (const id of ids) {
      const n = (this.counts.get(id) ?? 1) - 1;
      if (n > 0) this.counts.set(id, n);
      else this.counts.delete(id);
    }
  }

  get size(): number {
    return this.counts.size;
  }
}

export class TransactionConflicts implements ProxyLayer {
  /** Items of in-flight `TransactWriteItems`. */
  private readonly transactions = new HeldItems();
  /** Items of in-flight single writes and `BatchWriteItem` (they only refuse `TransactGetItems`). */
  private readonly writes = new HeldItems();
  private readonly tokens = new Set<string>();
  private readonly keySchemas = new Map<string, Promise<readonly string[] | undefined>>();
  private readonly refused = new Map<ConflictingOperation, number>();
  private readonly client: DynamoDBClient;

  constructor(private readonly options: TransactionConflictsOptions) {
    this.client = new DynamoDBClient({ endpoint: options.target, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  }

  /** Requests refused so far, by operation. */
  counts(): Partial<Record<ConflictingOperation, number>> {
    return Object.fromEntries(this.refused);
  }

  /** All requests refused so far. */
  total(): number {
    return [...this.refused.values()].reduce((a, b) => a + b, 0);
  }

  /** Items held by in-flight transactions right now (for tests). */
  heldItems(): number {
    return this.transactions.size;
  }

  close(): void {
    this.client.destroy();
  }

  async handle(request: ProxiedRequest, forward: () => Promise<ProxyAnswer>): Promise<ProxyAnswer> {
    switch (request.operation) {
      case 'TransactWriteItems':
        return this.transactWrite(request, forward);
      case 'PutItem':
      case 'UpdateItem':
      case 'DeleteItem':
        return this.singleWrite(request, forward);
      case 'TransactGetItems':
        return this.transactGet(request, forward);
      case 'BatchWriteItem':
        return this.batchWrite(request, forward);
      case 'DeleteTable':
      case 'CreateTable':
        this.keySchemas.delete(tableName(parse<SingleWriteBody>(request.body)?.TableName ?? ''));
        return forward();
      default:
        return forward();
    }
  }

  private async transactWrite(request: ProxiedRequest, forward: () => Promise<ProxyAnswer>): Promise<ProxyAnswer> {
    const body = parse<TransactWriteBody>(request.body);
    const ids = await this.itemIds(
      (body?.TransactItems ?? []).map((entry) => {
        const action = entry.Put ?? entry.Update ?? entry.Delete ?? entry.ConditionCheck;
        return { table: action?.TableName, attributes: entry.Put ? entry.Put.Item : action?.Key };
      }),
    );
    if (!ids) return forward();
    // From here to the registration nothing awaits: check and hold are one step for this process.
    const token = body?.ClientRequestToken;
    if (token && this.tokens.has(token)) {
      return dynamodbErrorAnswer(400, 'TransactionInProgressException', { message: 'The transaction with the given request token is already in progress.' });
    }
    const conflicting = ids.map((id) => this.transactions.has(id));
    if (conflicting.some(Boolean)) return this.cancel('TransactWriteItems', request, conflicting);
    this.transactions.add(ids);
    if (token) this.tokens.add(token);
    const started = Date.now();
    try {
      const answer = await forward();
      const floor = (this.options.minTransactionMs ?? 0) - (Date.now() - started);
      if (floor > 0) await new Promise((resolve) => setTimeout(resolve, floor));
      return answer;
    } finally {
      this.transactions.remove(ids);
      if (token) this.tokens.delete(token);
    }
  }

  private async singleWrite(request: ProxiedRequest, forward: () => Promise<ProxyAnswer>): Promise<ProxyAnswer> {
    const body = parse<SingleWriteBody>(request.body);
    const ids = await this.itemIds([{ table: body?.TableName, attributes: request.operation === 'PutItem' ? body?.Item : body?.Key }]);
    if (!ids) return forward();
    if (this.transactions.has(ids[0]!)) {
      this.count(request.operation as ConflictingOperation, request);
      return dynamodbErrorAnswer(400, 'TransactionConflictException', { message: TRANSACTION_CONFLICT_MESSAGE });
    }
    return this.holding(ids, forward);
  }

  private async batchWrite(request: ProxiedRequest, forward: () => Promise<ProxyAnswer>): Promise<ProxyAnswer> {
    const body = parse<BatchWriteBody>(request.body);
    const ids = await this.itemIds(
      Object.entries(body?.RequestItems ?? {}).flatMap(([table, requests]) =>
        (Array.isArray(requests) ? requests : []).map((r) => ({ table, attributes: r.PutRequest?.Item ?? r.DeleteRequest?.Key })),
      ),
    );
    return ids ? this.holding(ids, forward) : forward();
  }

  private async transactGet(request: ProxiedRequest, forward: () => Promise<ProxyAnswer>): Promise<ProxyAnswer> {
    const body = parse<TransactGetBody>(request.body);
    const ids = await this.itemIds((body?.TransactItems ?? []).map((entry) => ({ table: entry.Get?.TableName, attributes: entry.Get?.Key })));
    if (!ids) return forward();
    const conflicting = ids.map((id) => this.transactions.has(id) || this.writes.has(id));
    return conflicting.some(Boolean) ? this.cancel('TransactGetItems', request, conflicting) : forward();
  }

  /** Forwards a non-transactional write, its items held against `TransactGetItems` meanwhile. */
  private async holding(ids: readonly string[], forward: () => Promise<ProxyAnswer>): Promise<ProxyAnswer> {
    this.writes.add(ids);
    try {
      return await forward();
    } finally {
      this.writes.remove(ids);
    }
  }

  /** DynamoDB's answer to a cancelled transaction: one reason per item, in request order. */
  private cancel(operation: ConflictingOperation, request: ProxiedRequest, conflicting: readonly boolean[]): ProxyAnswer {
    this.count(operation, request);
    const codes = conflicting.map((c) => (c ? 'TransactionConflict' : 'None'));
    return dynamodbErrorAnswer(400, 'TransactionCanceledException', {
      CancellationReasons: codes.map((Code) => (Code === 'None' ? { Code } : { Code, Message: TRANSACTION_CONFLICT_MESSAGE })),
      Message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(', ')}]`,
    });
  }

  private count(operation: ConflictingOperation, request: ProxiedRequest): void {
    this.refused.set(operation, (this.refused.get(operation) ?? 0) + 1);
    this.options.onConflict?.(operation, request);
  }

  /**
   * `<table>\n<name>=<value>...` for each item (key attributes in key-schema order), or `undefined`
   * when one cannot be identified (the request is then forwarded as it is).
   */
  private async itemIds(items: ReadonlyArray<{ table?: string; attributes?: AttributeMap }>): Promise<string[] | undefined> {
    if (!items.length) return undefined;
    const tables = [...new Set(items.map((item) => tableName(item.table ?? '')))];
    const schemas = new Map(await Promise.all(tables.map(async (table) => [table, await this.keySchema(table)] as const)));
    const ids: string[] = [];
    for (const item of items) {
      const table = tableName(item.table ?? '');
      const names = schemas.get(table);
      if (!names || !item.attributes) return undefined;
      const parts = [table];
      for (const name of names) {
        const value = item.attributes[name];
        if (value === undefined) return undefined;
        parts.push(`${name}=${JSON.stringify(value)}`);
      }
      ids.push(parts.join('\n'));
    }
    return ids;
  }

  private keySchema(table: string): Promise<readonly string[] | undefined> {
    if (!table) return Promise.resolve(undefined);
    let schema = this.keySchemas.get(table);
    if (!schema) {
      schema = this.client.send(new DescribeTableCommand({ TableName: table })).then(
        ({ Table }) => {
          const key = Table?.KeySchema ?? [];
          // HASH first, then RANGE: the order an item's identity is written in.
          return ['HASH', 'RANGE'].flatMap((type) => key.filter((k) => k.KeyType === type).map((k) => k.AttributeName!));
        },
        () => {
          this.keySchemas.delete(table); // not there (yet): ask again next time
          return undefined;
        },
      );
      this.keySchemas.set(table, schema);
    }
    return schema;
  }
}

/** A table's name from a `TableName` that may be its ARN. */
function tableName(nameOrArn: string): string {
  const at = nameOrArn.startsWith('arn:') ? nameOrArn.indexOf(':table/') : -1;
  return at === -1 ? nameOrArn : nameOrArn.slice(at + ':table/'.length);
}

function parse<T>(body: Buffer): T | undefined {
  try {
    return JSON.parse(body.toString('utf8')) as T;
  } catch {
    return undefined;
  }
}
