/**
 * `npm run bench:conflict-layer -- [--requests 2000] [--in-flight 16] [--rounds 3]`
 *
 * What the transaction-conflict layer (`local/dynamodb-conflicts.ts`, on by default for the
 * functions of the offline runtime) costs: requests/s of PutItem, GetItem and 2-item
 * TransactWriteItems against DynamoDB Local directly and through the layer's proxy, on distinct
 * items (no conflict), variants alternating, median of the rounds. Starts its own DynamoDB Local.
 */
import { parseArgs } from 'node:util';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { TransactionConflicts } from '../local/dynamodb-conflicts.js';
import { startDynamoDbLocal } from '../local/dynamodb-local.js';
import { ServiceProxy } from '../local/service-proxy.js';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '2000' }, 'in-flight': { type: 'string', default: '16' }, rounds: { type: 'string', default: '3' } } });
const requests = Number(values.requests);
const inFlight = Number(values['in-flight']);
const rounds = Number(values.rounds);
const TABLE = 'bench-conflicts';

const ddb = await startDynamoDbLocal({ jvm: 'throughput' });
const conflicts = new TransactionConflicts({ target: ddb.endpoint });
const proxy = await ServiceProxy.start({ protocol: 'dynamodb', target: ddb.endpoint, layers: [conflicts] });
const local = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } as const;
const clients = { direct: new DynamoDBClient({ ...local, endpoint: ddb.endpoint }), 'through the layer': new DynamoDBClient({ ...local, endpoint: proxy.endpoint }) };

try {
  await clients.direct.send(
    new CreateTableCommand({
      TableName: TABLE,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
    }),
  );
  const item = (id: string) => ({ pk: { S: id }, sk: { S: 'ITEM' } });
  const operations = {
    PutItem: (client: DynamoDBClient, id: string) => client.send(new PutItemCommand({ TableName: TABLE, Item: { ...item(id), v: { S: 'x' } } })),
    GetItem: (client: DynamoDBClient, id: string) => client.send(new GetItemCommand({ TableName: TABLE, Key: item(id) })),
    'TransactWriteItems (2 items)': (client: DynamoDBClient, id: string) =>
      client.send(new TransactWriteItemsCommand({ TransactItems: [{ Put: { TableName: TABLE, Item: item(`${id}-a`) } }, { Put: { TableName: TABLE, Item: item(`${id}-b`) } }] })),
  };
  // Warm both paths (connections, the layer's DescribeTable) before measuring.
  for (const client of Object.values(clients)) for (const op of Object.values(operations)) await op(client, 'warm-up');

  const rate = async (op: (client: DynamoDBClient, id: string) => Promise<unknown>, client: DynamoDBClient, round: string): Promise<number> => {
    let next = 0;
    const started = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (next < requests) await op(client, `${round}-${next++}`);
      }),
    );
    return requests / (Number(process.hrtime.bigint() - started) / 1e9);
  };
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

  process.stdout.write(`DynamoDB Local ${ddb.endpoint}; ${requests} requests a round, ${inFlight} in flight, ${rounds} rounds, variants alternating\n\n`);
  process.stdout.write(`${'operation'.padEnd(30)} ${'direct req/s'.padStart(13)} ${'layer req/s'.padStart(12)} ${'overhead'.padStart(9)}\n`);
  for (const [name, op] of Object.entries(operations)) {
    const results: Record<keyof typeof clients, number[]> = { direct: [], 'through the layer': [] };
    for (let r = 0; r < rounds; r++) {
      for (const variant of (r % 2 ? ['through the layer', 'direct'] : ['direct', 'through the layer']) as Array<keyof typeof clients>) {
        results[variant].push(await rate(op, clients[variant], `${name}-${variant}-${r}`));
      }
    }
    const direct = median(results.direct);
    const layered = median(results['through the layer']);
    process.stdout.write(`${name.padEnd(30)} ${direct.toFixed(0).padStart(13)} ${layered.toFixed(0).padStart(12)} ${`${(((direct - layered) / direct) * 100).toFixed(1)}%`.padStart(9)}\n`);
  }
  process.stdout.write(`\nconflicts refused during the bench (distinct items: expected 0): ${conflicts.total()}\n`);
} finally {
  for (const client of Object.values(clients)) client.destroy();
  conflicts.close();
  await proxy.stop();
  await ddb.stop();
}
