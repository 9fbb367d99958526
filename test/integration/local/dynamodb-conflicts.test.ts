import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  TransactGetItemsCommand,
  TransactionCanceledException,
  TransactionConflictException,
  TransactionInProgressException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type AttributeValue,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TRANSACTION_CONFLICT_MESSAGE, TransactionConflicts } from '../../../local/dynamodb-conflicts.js';
import { waitFor } from '../../../local/net.js';
import { ServiceProxy, type ProxiedRequest, type ProxyAnswer, type ProxyLayer } from '../../../local/service-proxy.js';
import { uniqueName } from '../../support/aws.js';

/**
 * Holds chosen requests between the conflict layer (which has registered their items) and DynamoDB
 * Local, so a transaction is "in flight" for as long as a test needs — no timing luck involved.
 */
class Gate implements ProxyLayer {
  private held: Array<() => void> = [];
  private closedFor?: (request: ProxiedRequest) => boolean;

  close(which: (request: ProxiedRequest) => boolean): void {
    this.closedFor = which;
  }

  /** Lets the held requests through; later ones pass at once. */
  open(): void {
    this.closedFor = undefined;
    for (const release of this.held.splice(0)) release();
  }

  get waiting(): number {
    return this.held.length;
  }

  async handle(request: ProxiedRequest, forward: () => Promise<ProxyAnswer>): Promise<ProxyAnswer> {
    if (this.closedFor?.(request)) {
      this.closedFor = undefined; // one request at a time
      await new Promise<void>((resolve) => this.held.push(resolve));
    }
    return forward();
  }
}

const local = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } as const;
const table = uniqueName('conflicts');
const s = (value: string): AttributeValue => ({ S: value });
const key = (pk: string) => ({ pk: s(pk), sk: s('ITEM') });
const put = (pk: string, extra: Record<string, AttributeValue> = {}): TransactWriteItem => ({ Put: { TableName: table, Item: { ...key(pk), ...extra } } });

let conflicts: TransactionConflicts;
let gate: Gate;
let proxy: ServiceProxy;
let client: DynamoDBClient;
let direct: DynamoDBClient;

/**
 * Starts a transaction and returns once the layer holds its items but DynamoDB Local has not seen it
 * yet; `answered` settles after `gate.open()` (wrapped: an async function would wait for it).
 */
async function inFlight(items: TransactWriteItem[], token?: string): Promise<{ answered: Promise<unknown> }> {
  gate.close((r) => r.operation === 'TransactWriteItems');
  const answered = client.send(new TransactWriteItemsCommand({ TransactItems: items, ClientRequestToken: token }));
  answered.catch(() => undefined); // awaited by the test
  await waitFor(() => gate.waiting === 1, { what: 'the first transaction to be held' });
  return { answered };
}

/** A transaction sent while another request is held at the gate (it passes the gate: one is held at a time). */
const inFlightAlso = (items: TransactWriteItem[]) => client.send(new TransactWriteItemsCommand({ TransactItems: items })).catch((e: unknown) => e);

beforeAll(async () => {
  direct = new DynamoDBClient({ ...local, endpoint: inject('dynamodbEndpoint') });
  await direct.send(
    new CreateTableCommand({
      TableName: table,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
    }),
  );
  conflicts = new TransactionConflicts({ target: inject('dynamodbEndpoint') });
  gate = new Gate();
  proxy = await ServiceProxy.start({ protocol: 'dynamodb', target: inject('dynamodbEndpoint'), layers: [conflicts, gate] });
  // One attempt: the SDK would retry TransactionInProgressException (and only that one).
  client = new DynamoDBClient({ ...local, endpoint: proxy.endpoint, maxAttempts: 1 });
});

afterAll(async () => {
  gate.open();
  client.destroy();
  direct.destroy();
  conflicts.close();
  await proxy.stop();
});

describe('TransactionConflicts in front of DynamoDB Local', () => {
  it('cancels a transaction whose item is in another in-flight transaction: TransactionConflict at that index, None elsewhere, nothing written', async () => {
    const first = await inFlight([put('A', { v: s('first') })]);
    const before = conflicts.counts().TransactWriteItems ?? 0;
    const second = await client.send(new TransactWriteItemsCommand({ TransactItems: [put('B'), put('A', { v: s('second') }), put('C')] })).catch((e: unknown) => e);

    expect(second).toBeInstanceOf(TransactionCanceledException);
    const error = second as TransactionCanceledException;
    expect(error.name).toBe('TransactionCanceledException');
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.CancellationReasons).toEqual([{ Code: 'None' }, { Code: 'TransactionConflict', Message: TRANSACTION_CONFLICT_MESSAGE }, { Code: 'None' }]);
    expect(error.message).toBe('Transaction cancelled, please refer cancellation reasons for specific reasons [None, TransactionConflict, None]');
    expect(conflicts.counts().TransactWriteItems).toBe(before + 1);

    gate.open();
    await expect(first.answered).resolves.toBeDefined();
    const a = await direct.send(new GetItemCommand({ TableName: table, Key: key('A'), ConsistentRead: true }));
    expect(a.Item?.v).toEqual(s('first'));
    const b = await direct.send(new GetItemCommand({ TableName: table, Key: key('B'), ConsistentRead: true }));
    expect(b.Item).toBeUndefined(); // the cancelled transaction wrote nothing
    expect(conflicts.heldItems()).toBe(0);
    // Once the first has answered, the same transaction goes through.
    await expect(client.send(new TransactWriteItemsCommand({ TransactItems: [put('B'), put('A', { v: s('second') }), put('C')] }))).resolves.toBeDefined();
  });

  it('counts ConditionCheck, Update and Delete items of a transaction as held', async () => {
    const first = await inFlight([
      { ConditionCheck: { TableName: table, Key: key('CC'), ConditionExpression: 'attribute_not_exists(pk)' } },
      { Update: { TableName: table, Key: key('UP'), UpdateExpression: 'SET n = :one', ExpressionAttributeValues: { ':one': { N: '1' } } } },
      { Delete: { TableName: table, Key: key('DEL') } },
    ]);
    const second = (await client.send(new TransactWriteItemsCommand({ TransactItems: [put('DEL'), put('free'), put('CC'), put('UP')] })).catch((e: unknown) => e)) as TransactionCanceledException;
    gate.open();
    await first.answered;
    expect(second.CancellationReasons?.map((r) => r.Code)).toEqual(['TransactionConflict', 'None', 'TransactionConflict', 'TransactionConflict']);
  });

  it('fails a PutItem, UpdateItem or DeleteItem on an item of an in-flight transaction with TransactionConflictException', async () => {
    const first = await inFlight([put('held')]);
    const attempts = await Promise.all([
      client.send(new PutItemCommand({ TableName: table, Item: { ...key('held'), v: s('x') } })).catch((e: unknown) => e),
      client.send(new UpdateItemCommand({ TableName: table, Key: key('held'), UpdateExpression: 'SET v = :v', ExpressionAttributeValues: { ':v': s('y') } })).catch((e: unknown) => e),
      client.send(new DeleteItemCommand({ TableName: table, Key: key('held') })).catch((e: unknown) => e),
      // A read and a write of another item are not concerned.
      client.send(new GetItemCommand({ TableName: table, Key: key('held') })),
      client.send(new PutItemCommand({ TableName: table, Item: { ...key('other'), v: s('z') } })),
    ]);
    gate.open();
    await first.answered;
    for (const error of attempts.slice(0, 3)) {
      expect(error).toBeInstanceOf(TransactionConflictException);
      expect((error as TransactionConflictException).message).toBe(TRANSACTION_CONFLICT_MESSAGE);
      expect((error as TransactionConflictException).$metadata.httpStatusCode).toBe(400);
    }
    expect(attempts[3]).toHaveProperty('$metadata.httpStatusCode', 200);
    expect(attempts[4]).toHaveProperty('$metadata.httpStatusCode', 200);
    const stored = await direct.send(new GetItemCommand({ TableName: table, Key: key('held'), ConsistentRead: true }));
    expect(stored.Item).toEqual(key('held')); // none of the refused writes reached the table
  });

  it('cancels a TransactGetItems that reads an item being written', async () => {
    const first = await inFlight([put('read-me')]);
    const read = (await client
      .send(new TransactGetItemsCommand({ TransactItems: [{ Get: { TableName: table, Key: key('other') } }, { Get: { TableName: table, Key: key('read-me') } }] }))
      .catch((e: unknown) => e)) as TransactionCanceledException;
    gate.open();
    await first.answered;
    expect(read).toBeInstanceOf(TransactionCanceledException);
    expect(read.CancellationReasons?.map((r) => r.Code)).toEqual(['None', 'TransactionConflict']);
  });

  it('cancels a TransactGetItems that reads an item a BatchWriteItem is writing, and never refuses the BatchWriteItem', async () => {
    gate.close((r) => r.operation === 'BatchWriteItem');
    const batch = client.send(new BatchWriteItemCommand({ RequestItems: { [table]: [{ PutRequest: { Item: key('batched') } }] } }));
    await waitFor(() => gate.waiting === 1, { what: 'the batch write to be held' });
    const read = (await client.send(new TransactGetItemsCommand({ TransactItems: [{ Get: { TableName: table, Key: key('batched') } }] })).catch((e: unknown) => e)) as TransactionCanceledException;
    const other = await inFlightAlso([put('batched')]);
    gate.open();
    await expect(batch).resolves.toHaveProperty('$metadata.httpStatusCode', 200);
    expect(read.CancellationReasons?.map((r) => r.Code)).toEqual(['TransactionConflict']);
    expect(other).toHaveProperty('$metadata.httpStatusCode', 200); // a transaction does not conflict with a batch write
  });

  it('answers TransactionInProgressException to a retry of an in-flight transaction (same ClientRequestToken)', async () => {
    const token = 'token-of-the-first-attempt';
    const first = await inFlight([put('token')], token);
    const retry = await client.send(new TransactWriteItemsCommand({ TransactItems: [put('token')], ClientRequestToken: token })).catch((e: unknown) => e);
    gate.open();
    await first.answered;
    expect(retry).toBeInstanceOf(TransactionInProgressException);
  });

  it('lets transactions on different items run side by side, and one item again once the first has answered', async () => {
    const before = conflicts.total();
    const first = await inFlight([put('left')]);
    await expect(client.send(new TransactWriteItemsCommand({ TransactItems: [put('right')] }))).resolves.toBeDefined();
    gate.open();
    await first.answered;
    await expect(client.send(new TransactWriteItemsCommand({ TransactItems: [put('left', { v: s('again') })] }))).resolves.toBeDefined();
    // Ten sequential transactions on one item: none refused.
    for (let i = 0; i < 10; i++) await client.send(new TransactWriteItemsCommand({ TransactItems: [put('left', { v: s(String(i)) })] }));
    expect(conflicts.total()).toBe(before);
  });

  it('forwards what it cannot read: an unknown table gets DynamoDB Local own answer', async () => {
    const error = await client.send(new TransactWriteItemsCommand({ TransactItems: [{ Put: { TableName: 'no-such-table', Item: key('x') } }] })).catch((e: unknown) => e);
    expect((error as Error).name).toBe('ResourceNotFoundException');
  });
});
