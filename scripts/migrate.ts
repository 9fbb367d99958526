/**
 * `npm run migrate -- <command> [options]`: the data migrations of the link migrations.
 *
 *   publish-managers      manager-stream step 3: one ManagerUpdated per manager through the tasks outbox
 *                         (the version follows the deployed manager-login step, v0 before step 5, v1 from 5:
 *                         read from the deployment like `status` (--from, --assembly), or given with
 *                         --manager-login <step>; never guessed)
 *   split-task-titles     task-created-v1 step 4: "[Knowledge Area] Title" -> knowledge_area + title (tasks and bonus tables)
 *   copy-manager-logins   manager-login step 7: logins of the managers hiring knows, from tasks to hiring
 *   drop-manager-names    manager-login step 10: remove name/surname of hiring's managers that have a login
 *   status                the steps deployed (the stacks' MigrationSteps output, written by the step guard):
 *                         from AWS CloudFormation, or from the offline runtime's assembly when `npm start` runs
 *                         (.local/endpoints.json names it); --from aws|local, --assembly DIR, --json
 *
 * Options:
 *   --dry-run             count what would change, write nothing
 *   --tasks-table NAME, --bonus-table NAME, --hiring-table NAME
 *                         table names (default: env TASKS_TABLE / BONUS_TABLE / HIRING_TABLE, else the one
 *                         table named <stack>-<Service>Table* found by ListTables)
 *   --stage NAME          the stage (default prod): stacks <stage>-HiringEvents-Services / -Platform
 *   --stack NAME          the services stack (default <stage>-HiringEvents-Services)
 *   --segments N          parallel scan segments (default 4; a resumed run must use the same)
 *   --restart             drop an unfinished run's checkpoints and scan from the start
 *   --fail-after N        drill: crash after N writes (then run again to see it resume)
 *
 * Endpoint and credentials: the AWS SDK defaults (AWS_PROFILE, AWS_REGION, ...); DynamoDB Local
 * via AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:8000. Every write is conditional (idempotent),
 * progress is checkpointed in the table itself (resumable). See MIGRATIONS.md.
 */
import { runMigrate } from './migrations/runMigrate.js';

process.exitCode = await runMigrate(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
