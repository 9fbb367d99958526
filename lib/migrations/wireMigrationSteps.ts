import type { Construct } from 'constructs';
import type { DeferredCalls } from '../constructs/DeferredCalls.js';
import type { EventConsumer } from '../constructs/EventConsumer.js';
import type { ServiceHttpApi } from '../constructs/ServiceHttpApi.js';
import { acknowledgeInternalRoutes } from '../nag.js';
import { LINKS_OF, linkBehaviour, tasksLegacyRoutes } from '../../lambdas/shared/migrations/plan.js';
import { stepEnvironment, type MigrationSteps } from '../../lambdas/shared/migrations/steps.js';

/** The parts of the services stack a migration step changes after they are built. */
export interface MigrationParts {
  readonly hiringHttp: ServiceHttpApi;
  readonly tasksHttp: ServiceHttpApi;
  readonly hiringCalls: DeferredCalls;
  readonly hiringFromTasks: EventConsumer;
  readonly tasksFromHiring: EventConsumer;
  readonly bonusFromTasks: EventConsumer;
  readonly bonusFromHiring: EventConsumer;
}

/**
 * Adds what a step needs beyond the routes and rules (which the stack takes from the plan
 * directly): the `MIGRATION_*_STEP` variables of the functions whose behaviour depends on an
 * unfinished link, and the legacy sync calls with their URLs and `execute-api:Invoke` grants:
 * bonus -> tasks get_manager (manager-stream < 4) and hiring -> tasks update_task
 * (task-update-request < 5 for the API, < 6 for the deferred deliverer, which may still hold
 * calls made at step 4). At the final steps it adds nothing: the templates stay as they were.
 *
 * @example
 * ```ts
 * wireMigrationSteps(this, steps, { hiringHttp, tasksHttp, hiringCalls, hiringFromTasks, ... });
 * ```
 */
export function wireMigrationSteps(scope: Construct, steps: MigrationSteps, parts: MigrationParts): void {
  const addEnv = (fn: { addEnvironment(key: string, value: string): unknown }, env: Record<string, string>) => {
    for (const [key, value] of Object.entries(env)) fn.addEnvironment(key, value);
  };
  addEnv(parts.tasksHttp.function, stepEnvironment(steps, LINKS_OF.tasksApi));
  addEnv(parts.tasksFromHiring.function, stepEnvironment(steps, LINKS_OF.tasksConsumer));
  addEnv(parts.hiringHttp.function, stepEnvironment(steps, LINKS_OF.hiringApi));
  addEnv(parts.hiringFromTasks.function, stepEnvironment(steps, LINKS_OF.hiringConsumer));
  for (const consumer of [parts.bonusFromTasks, parts.bonusFromHiring]) addEnv(consumer.function, stepEnvironment(steps, LINKS_OF.bonusConsumer));

  const tasksUrl = parts.tasksHttp.api.baseUrl;
  const behaviour = linkBehaviour(steps);
  if (behaviour.bonusCallsGetManager) {
    // Only the TaskSolved consumer needs the manager; it asks tasks' get_manager.
    parts.bonusFromHiring.function.addEnvironment('TASKS_API_URL', tasksUrl);
    parts.tasksHttp.api.grantInvoke(parts.bonusFromHiring.function, '/internal/*');
  }
  if (behaviour.hiringCallsRequestUpdate) {
    parts.hiringHttp.function.addEnvironment('TASKS_API_URL', tasksUrl);
    parts.tasksHttp.api.grantInvoke(parts.hiringHttp.function, '/internal/*');
  }
  if (behaviour.tasksServesRequestUpdate) parts.hiringCalls.addTarget('TASKS_API_URL', parts.tasksHttp.api);
  if (tasksLegacyRoutes(steps).length > 0) {
    acknowledgeInternalRoutes(scope, parts.tasksHttp.api.api, parts.tasksHttp.api.stageName);
  }
}
