/** The `npm run migrate` command line (see scripts/migrate.ts for its usage), callable in process. */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DescribeTableCommand, DynamoDBClient, paginateListTables } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { InjectedCrash, runBackfill, type BackfillSpec } from './backfill.js';
import { progressBar, type OutputStream } from './progressBar.js';
import { copyManagerLoginsSpec, dropManagerNamesSpec, publishManagersSpec, splitTaskTitlesSpec } from './specs.js';
import { FINAL_STEPS, MIGRATIONS, parseStep, type MigrationSteps } from '../../lambdas/shared/migrations/steps.js';
import { DEFAULT_ENDPOINTS_FILE, readEndpointsFile } from '../../local/endpointsFile.js';
import { assertStage, DEFAULT_STAGE, stackIds } from '../../lib/stage.js';
import { deployedStepsFromAssembly, deployedStepsFromAws, formatStepsStatus, stepsOf, type DeployedSteps } from './deployedSteps.js';

const COMMANDS = ['publish-managers', 'split-task-titles', 'copy-manager-logins', 'drop-manager-names', 'status'] as const;
type Command = (typeof COMMANDS)[number];

/** Where the CLI writes and what it talks to: the process's own streams and SDK defaults, or a test's. */
export interface MigrateIo {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  /** Folder `.local/endpoints.json` is read from. Default: the current directory. */
  readonly cwd?: string;
  /** DynamoDB client. Default: the SDK's (endpoint and credentials from the environment). */
  readonly dynamodb?: DynamoDBClient;
}

/**
 * `npm run migrate` as a function: runs the command of `argv` (the arguments after the script) and
 * resolves with the exit code (0 done, 1 failed or crashed on purpose, 2 usage). Messages go to `io`.
 *
 * @example
 * ```ts
 * process.exitCode = await runMigrate(['split-task-titles', '--dry-run'], { stdout: process.stdout, stderr: process.stderr });
 * ```
 */
export async function runMigrate(argv: readonly string[], io: MigrateIo): Promise<number> {
  try {
    return await migrate(argv, io);
  } catch (error) {
    if (error instanceof InjectedCrash) io.stderr.write(`\n${error.message}: run the same command again to resume\n`);
    else io.stderr.write(`\nmigrate failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

async function migrate(argv: readonly string[], io: MigrateIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      'dry-run': { type: 'boolean', default: false },
      'tasks-table': { type: 'string' },
      'bonus-table': { type: 'string' },
      'hiring-table': { type: 'string' },
      stage: { type: 'string', default: DEFAULT_STAGE },
      stack: { type: 'string' },
      from: { type: 'string' },
      assembly: { type: 'string' },
      json: { type: 'boolean', default: false },
      segments: { type: 'string', default: '4' },
      restart: { type: 'boolean', default: false },
      'fail-after': { type: 'string' },
      'manager-login': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  const command = positionals[0] as Command | undefined;
  if (values.help || !command || !COMMANDS.includes(command)) {
    io.stderr.write(
      `usage: npm run migrate -- <${COMMANDS.join('|')}> [--stage S] [--dry-run] [--tasks-table N] [--bonus-table N] [--hiring-table N] [--stack N] [--segments N] [--restart]\n` +
        '       npm run migrate -- status [--stage S] [--from aws|local] [--assembly DIR] [--json]\n',
    );
    return values.help ? 0 : 2;
  }
  const stage = assertStage(values.stage!, '--stage');
  if (command === 'status') {
    const deployed = await readDeployedSteps(stage, values.from, values.assembly, io.cwd ?? '.');
    io.stdout.write(values.json ? `${JSON.stringify(deployed, null, 2)}\n` : `${formatStepsStatus(deployed).join('\n')}\n`);
    return 0;
  }
  const stack = values.stack ?? stackIds(stage).services;
  const client = io.dynamodb ?? new DynamoDBClient({});
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const table = async (service: 'tasks' | 'bonus' | 'hiring'): Promise<string> =>
    values[`${service}-table`] ?? process.env[`${service.toUpperCase()}_TABLE`] ?? (await discoverTable(client, stack, service));

  const specs: BackfillSpec[] = [];
  if (command === 'split-task-titles') specs.push(splitTaskTitlesSpec(await table('tasks')), splitTaskTitlesSpec(await table('bonus')));
  if (command === 'copy-manager-logins') specs.push(copyManagerLoginsSpec(doc, await table('hiring'), await table('tasks')));
  if (command === 'drop-manager-names') specs.push(dropManagerNamesSpec(await table('hiring')));
  if (command === 'publish-managers') {
    // The event version follows the deployed manager-login step (v0 before step 5). A wrong guess
    // publishes a version no rule routes at that step, so the steps are read from the deployment (the
    // stacks' MigrationSteps output) unless --manager-login is given, and never assumed.
    const steps =
      values['manager-login'] !== undefined
        ? { ...FINAL_STEPS, managerLogin: parseStep('managerLogin', values['manager-login'], '--manager-login') }
        : await deployedStepsOrRefuse(command, () => readDeployedSteps(stage, values.from, values.assembly, io.cwd ?? '.'));
    specs.push(publishManagersSpec(await table('tasks'), steps));
  }

  const segments = Number(values.segments);
  if (!Number.isInteger(segments) || segments < 1 || segments > 1000) throw new Error('--segments must be an integer 1..1000');
  for (const spec of specs) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: spec.tableName }));
    const bar = progressBar(`${command}${values['dry-run'] ? ' (dry run)' : ''} ${spec.tableName}`, Number(Table?.ItemCount ?? 0), io.stderr);
    const counts = await runBackfill(spec, {
      doc,
      segments,
      dryRun: values['dry-run'],
      restart: values.restart,
      failAfterWrites: values['fail-after'] === undefined ? undefined : Number(values['fail-after']),
      onProgress: (c) => bar.update(c),
    });
    bar.done(counts);
    if (counts.resumedSegments > 0) io.stderr.write(`  resumed ${counts.resumedSegments} segment(s) from their checkpoints\n`);
    if (counts.skipped > 0) io.stderr.write(`  ${counts.skipped} item(s) skipped (nothing to copy or split); see MIGRATIONS.md\n`);
  }
  return 0;
}

/**
 * Where `status` reads: `--from local` (or `--assembly DIR`) reads a cloud assembly, by default the one
 * the running offline runtime names in .local/endpoints.json; `--from aws` asks CloudFormation. Without
 * either: the offline runtime when .local/endpoints.json says it is up, AWS otherwise.
 */
async function readDeployedSteps(stage: string, from: string | undefined, assembly: string | undefined, cwd: string): Promise<DeployedSteps> {
  if (from !== undefined && from !== 'aws' && from !== 'local') throw new Error(`--from must be aws or local, got ${from}`);
  const local = (() => {
    try {
      return readEndpointsFile(resolve(cwd, DEFAULT_ENDPOINTS_FILE)).local;
    } catch {
      return undefined;
    }
  })();
  if (from === 'local' || assembly !== undefined || (from === undefined && local !== undefined)) {
    return deployedStepsFromAssembly(resolve(cwd, assembly ?? local?.assembly ?? '.local/cdk.out'), stage);
  }
  const cloudFormation = new CloudFormationClient({});
  try {
    return await deployedStepsFromAws(cloudFormation, stage);
  } finally {
    cloudFormation.destroy();
  }
}

/** A step-dependent command whose steps could not be read from the deployment: it refuses to guess. */
class MissingStepError extends Error {
  constructor(command: string, reason: string) {
    const key = MIGRATIONS.managerLogin.key;
    super(
      `${command} depends on the deployed ${key} step and will not guess it: the deployed steps could not be read (${reason}); ` +
        `pass --manager-login <step> (the value of ${key} in your last deploy; cdk.json or -c ${key}=N)`,
    );
    this.name = 'MissingStepError';
  }
}

async function deployedStepsOrRefuse(command: string, read: () => Promise<DeployedSteps>): Promise<MigrationSteps> {
  try {
    return stepsOf(await read());
  } catch (error) {
    throw new MissingStepError(command, error instanceof Error ? error.message : String(error));
  }
}

/** The one table `<stack>-<Service>Table…` (CDK's generated names, on AWS and on the offline runtime). */
async function discoverTable(client: DynamoDBClient, stack: string, service: string): Promise<string> {
  const prefix = `${stack}-${service[0]!.toUpperCase()}${service.slice(1)}Table`;
  const found: string[] = [];
  for await (const page of paginateListTables({ client }, {})) found.push(...(page.TableNames ?? []).filter((n) => n.startsWith(prefix)));
  if (found.length !== 1) {
    throw new Error(`found ${found.length} tables named ${prefix}*${found.length ? ` (${found.join(', ')})` : ''}: pass --${service}-table`);
  }
  return found[0]!;
}
