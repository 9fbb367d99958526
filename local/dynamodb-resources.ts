/**
 * Creates the template's `AWS::DynamoDB::Table` and `AWS::DynamoDB::GlobalTable` (what CDK's TableV2
 * synthesizes) in DynamoDB Local, idempotently: an existing table is kept with its data; a missing
 * stream or GSI is added with UpdateTable. Billing is always on-demand locally. Not emulated: TTL
 * (DynamoDB Local does not expire items), replicas, PITR, SSE, contributor insights, deletion protection.
 * Each table's `StreamArn` is recorded on the resolver.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  UpdateTableCommand,
  waitUntilTableExists,
  type AttributeDefinition,
  type CreateTableCommandInput,
  type DynamoDBClient,
  type GlobalSecondaryIndex,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import type { CfnProperties, CloudAssembly, Resolver } from './assembly.js';

export interface LocalTable {
  readonly key: string;
  readonly name: string;
  readonly streamArn?: string;
}

function index(spec: CfnProperties): GlobalSecondaryIndex {
  return { IndexName: spec.IndexName, KeySchema: spec.KeySchema, Projection: spec.Projection ?? { ProjectionType: 'ALL' } };
}

/** CreateTable input for a Table or GlobalTable resource. */
export function createTableInput(props: CfnProperties, name: string): CreateTableCommandInput {
  const stream = props.StreamSpecification;
  const input: CreateTableCommandInput = {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: props.KeySchema,
    AttributeDefinitions: props.AttributeDefinitions as AttributeDefinition[],
  };
  if (Array.isArray(props.GlobalSecondaryIndexes) && props.GlobalSecondaryIndexes.length) {
    input.GlobalSecondaryIndexes = props.GlobalSecondaryIndexes.map(index);
  }
  if (Array.isArray(props.LocalSecondaryIndexes) && props.LocalSecondaryIndexes.length) {
    input.LocalSecondaryIndexes = props.LocalSecondaryIndexes.map((s: CfnProperties) => ({ IndexName: s.IndexName, KeySchema: s.KeySchema, Projection: s.Projection }));
  }
  if (stream?.StreamViewType) input.StreamSpecification = { StreamEnabled: true, StreamViewType: stream.StreamViewType };
  return input;
}

async function describe(dynamodb: DynamoDBClient, name: string): Promise<TableDescription | undefined> {
  try {
    return (await dynamodb.send(new DescribeTableCommand({ TableName: name }))).Table;
  } catch (error) {
    if ((error as { name?: string }).name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

/** Creates (or keeps) every table of the assembly; returns them by resource key. */
export async function createTables(assembly: CloudAssembly, resolver: Resolver, dynamodb: DynamoDBClient): Promise<Map<string, LocalTable>> {
  const out = new Map<string, LocalTable>();
  for (const ref of assembly.resources(['AWS::DynamoDB::Table', 'AWS::DynamoDB::GlobalTable'])) {
    const name = resolver.physicalName(ref);
    const input = createTableInput(resolver.properties(ref), name);
    let table = await describe(dynamodb, name);
    if (!table) {
      await dynamodb.send(new CreateTableCommand(input));
      await waitUntilTableExists({ client: dynamodb, maxWaitTime: 30 }, { TableName: name });
      table = await describe(dynamodb, name);
    } else {
      table = await reconcile(dynamodb, table, input);
    }
    const streamArn = table?.StreamSpecification?.StreamEnabled ? table.LatestStreamArn : undefined;
    if (streamArn) resolver.setAttribute(ref.key, 'StreamArn', streamArn);
    out.set(ref.key, { key: ref.key, name, streamArn });
  }
  return out;
}

/** Adds what an existing table lacks (stream, GSIs) without touching its data. */
async function reconcile(dynamodb: DynamoDBClient, table: TableDescription, input: CreateTableCommandInput): Promise<TableDescription | undefined> {
  const name = input.TableName!;
  const wantedStream = input.StreamSpecification?.StreamViewType;
  const currentStream = table.StreamSpecification?.StreamEnabled ? table.StreamSpecification.StreamViewType : undefined;
  if (wantedStream !== currentStream) {
    if (currentStream) await dynamodb.send(new UpdateTableCommand({ TableName: name, StreamSpecification: { StreamEnabled: false } }));
    if (wantedStream) {
      await dynamodb.send(new UpdateTableCommand({ TableName: name, StreamSpecification: { StreamEnabled: true, StreamViewType: wantedStream } }));
    }
  }
  const existing = new Set((table.GlobalSecondaryIndexes ?? []).map((g) => g.IndexName));
  for (const gsi of input.GlobalSecondaryIndexes ?? []) {
    if (existing.has(gsi.IndexName)) continue;
    const used = new Set((gsi.KeySchema ?? []).map((k) => k.AttributeName));
    await dynamodb.send(
      new UpdateTableCommand({
        TableName: name,
        AttributeDefinitions: (input.AttributeDefinitions ?? []).filter((a) => used.has(a.AttributeName)),
        GlobalSecondaryIndexUpdates: [{ Create: gsi }],
      }),
    );
  }
  return describe(dynamodb, name);
}
