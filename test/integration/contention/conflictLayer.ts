import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, expect, inject } from 'vitest';
import { TransactionConflicts } from '../../../local/dynamodb-conflicts.js';
import { ServiceProxy } from '../../../local/service-proxy.js';

/**
 * The test run's DynamoDB Local behind the transaction-conflict layer the offline runtime gives the
 * functions: handlers built on `doc` meet DynamoDB's conflicts as they would on AWS.
 */
export interface ConflictingDynamoDb {
  readonly dynamodb: DynamoDBClient;
  readonly doc: DynamoDBDocumentClient;
  readonly conflicts: TransactionConflicts;
}

/** Registers the layer for a test file: started before its tests and filled into the returned object. */
export function useConflictLayer(): ConflictingDynamoDb {
  const layer = {} as { -readonly [K in keyof ConflictingDynamoDb]: ConflictingDynamoDb[K] };
  let proxy: ServiceProxy | undefined;
  beforeAll(async () => {
    const target = inject('dynamodbEndpoint');
    // Transactions held 50 ms at least: the writes of a storm overlap even on a busy machine, so
    // every storm meets DynamoDB's conflicts (checked by `withConflicts`).
    layer.conflicts = new TransactionConflicts({ target, minTransactionMs: 50 });
    proxy = await ServiceProxy.start({ protocol: 'dynamodb', target, layers: [layer.conflicts] });
    layer.dynamodb = new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, endpoint: proxy.endpoint });
    layer.doc = DynamoDBDocumentClient.from(layer.dynamodb, { marshallOptions: { removeUndefinedValues: true } });
  });
  afterAll(async () => {
    layer.dynamodb?.destroy();
    layer.conflicts?.close();
    await proxy?.stop();
  });
  return layer;
}

/** `n` calls of `request` started together. */
export function concurrently<T>(n: number, request: (i: number) => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => request(i)));
}

interface Answer {
  readonly status: number;
  readonly body: unknown;
}

/**
 * The contention contract of a write route: every answer is a 2xx, or a 409 whose code is one this
 * route documents (`write_conflict` for every write route: the contention outlasted the retries).
 * Returns the 2xx answers.
 */
export function expectOnly2xxOr409<T extends Answer>(answers: readonly T[], documented409: readonly string[] = []): T[] {
  const allowed = new Set(['write_conflict', ...documented409]);
  for (const answer of answers) {
    const code = (answer.body as { error?: { code?: string } } | undefined)?.error?.code;
    const ok = (answer.status >= 200 && answer.status < 300) || (answer.status === 409 && code !== undefined && allowed.has(code));
    expect(ok, `unexpected answer ${answer.status} ${JSON.stringify(answer.body)}`).toBe(true);
  }
  return answers.filter((a) => a.status >= 200 && a.status < 300);
}

/** Runs `storm` and checks the conflict layer refused at least one request meanwhile (the test met contention). */
export async function withConflicts<T>(layer: ConflictingDynamoDb, storm: () => Promise<T>): Promise<T> {
  const before = layer.conflicts.total();
  const result = await storm();
  expect(layer.conflicts.total() - before, 'transaction conflicts injected during the storm').toBeGreaterThan(0);
  return result;
}
