/**
 * `npm run migrate -- <command> [options]`: the data migrations of the link migrations.
 *
 *   publish-managers      manager-stream step 3: one ManagerUpdated per manager through the tasks outbox
 *                         (--manager-login <deployed step> is required: v0 before step 5, v1 from 5)
 *   split-task-titles     task-created-v1 step 4: "[Knowledge Area] Title" -> knowledge_area + title (tasks and bonus tables)
 *   copy-manager-logins   manager-login step 7: logins of the managers hiring knows, from tasks to hiring
 *   drop-manager-names    manager-login step 10: remove name/surname of hiring's managers that have a login
 *
 * Options:
 *   --dry-run             count what would change, write nothing
 *   --tasks-table NAME, --bonus-table NAME, --hiring-table NAME
 *                         table names (default: env TASKS_TABLE / BONUS_TABLE / HIRING_TABLE, else the one
 *                         table named <stack>-<Service>Table* found by ListTables)
 *   --stack NAME          the services stack (default HiringEvents-Services)
 *   --segments N          parallel scan segments (default 4; a resumed run must use the same)
 *   --restart             drop an unfinished run's checkpoints and scan from the start
 *   --fail-after N        drill: crash after N writes (then run again to see it resume)
 *
 * Endpoint and credentials: the AWS SDK defaults (AWS_PROFILE, AWS_REGION, ...); DynamoDB Local
 * via AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:8000. Every write is conditional (idempotent),
 * progress is checkpointed in the table itself (resumable). See MIGRATIONS.md.
 */
import { parseArgs } from 'node:util';
import { DescribeTableCommand, DynamoDBClient, paginateListTables } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { InjectedCrash, runBackfill, type BackfillSpec } from './migrations/backfill.js';
import { progressBar } from './migrations/progressBar.js';
import { copyManagerLoginsSpec, dropManagerNamesSpec, publishManagersSpec, splitTaskTitlesSpec } from './migrations/specs.js';
import { MIGRATIONS, parseStep } from '../lambdas/shared/migrations/steps.js';

const COMMANDS = ['publish-managers', 'split-task-titles', 'copy-manager-logins', 'drop-manager-names'] as const;
type Command = (typeof COMMANDS)[number];

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      'dry-run': { type: 'boolean', default: false },
      'tasks-table': { type: 'string' },
      'bonus-table': { type: 'string' },
      'hiring-table': { type: 'string' },
      stack: { type: 'string', default: 'HiringEvents-Services' },
      segments: { type: 'string', default: '4' },
      restart: { type: 'boolean', default: false },
      'fail-after': { type: 'string' },
      'manager-login': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  const command = positionals[0] as Command | undefined;
  if (values.help || !command || !COMMANDS.includes(command)) {
    process.stderr.write(`usage: npm run migrate -- <${COMMANDS.join('|')}> [--dry-run] [--tasks-table N] [--bonus-table N] [--hiring-table N] [--stack N] [--segments N] [--restart]\n`);
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  const client = new DynamoDBClient({});
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const table = async (service: 'tasks' | 'bonus' | 'hiring'): Promise<string> =>
    values[`${service}-table`] ?? process.env[`${service.toUpperCase()}_TABLE`] ?? (await discoverTable(client, values.stack!, service));

  const specs: BackfillSpec[] = [];
  if (command === 'split-task-titles') specs.push(splitTaskTitlesSpec(await table('tasks')), splitTaskTitlesSpec(await table('bonus')));
  if (command === 'copy-manager-logins') specs.push(copyManagerLoginsSpec(doc, await table('hiring'), await table('tasks')));
  if (command === 'drop-manager-names') specs.push(dropManagerNamesSpec(await table('hiring')));
  if (command === 'publish-managers') {
    // The event version follows the deployed manager-login step (v0 before step 5). Guessing it wrong
    // publishes a version no rule routes at that step, so the step is never assumed.
    if (values['manager-login'] === undefined) throw new MissingStepError('publish-managers', '--manager-login', MIGRATIONS.managerLogin.key);
    const managerLogin = parseStep('managerLogin', values['manager-login'], '--manager-login');
    specs.push(publishManagersSpec(await table('tasks'), { managerStream: MIGRATIONS.managerStream.last, taskUpdated: 5, taskUpdateRequest: 6, taskAssigned: 5, taskCreatedV1: 10, managerLogin }));
  }

  const segments = Number(values.segments);
  if (!Number.isInteger(segments) || segments < 1 || segments > 1000) throw new Error('--segments must be an integer 1..1000');
  for (const spec of specs) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: spec.tableName }));
    const bar = progressBar(`${command}${values['dry-run'] ? ' (dry run)' : ''} ${spec.tableName}`, Number(Table?.ItemCount ?? 0));
    const counts = await runBackfill(spec, {
      doc,
      segments,
      dryRun: values['dry-run'],
      restart: values.restart,
      failAfterWrites: values['fail-after'] === undefined ? undefined : Number(values['fail-after']),
      onProgress: (c) => bar.update(c),
    });
    bar.done(counts);
    if (counts.resumedSegments > 0) process.stderr.write(`  resumed ${counts.resumedSegments} segment(s) from their checkpoints\n`);
    if (counts.skipped > 0) process.stderr.write(`  ${counts.skipped} item(s) skipped (nothing to copy or split); see MIGRATIONS.md\n`);
  }
}

/** A step-dependent command run without the step: it refuses to guess. */
class MissingStepError extends Error {
  constructor(command: string, flag: string, contextKey: string) {
    super(
      `${command} depends on the deployed ${contextKey} step and will not guess it: pass ${flag} <step> ` +
        `(the value of ${contextKey} in your last deploy; cdk.json or -c ${contextKey}=N)`,
    );
    this.name = 'MissingStepError';
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

main().catch((error: unknown) => {
  if (error instanceof InjectedCrash) process.stderr.write(`\n${error.message}: run the same command again to resume\n`);
  else process.stderr.write(`\nmigrate failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
