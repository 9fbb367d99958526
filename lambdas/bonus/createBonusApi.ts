import { bindRoutes, createHttpApi, type HttpApiHandler, type RouteHandlers } from '../shared/http/index.js';
import { getBalance } from './handlers/getBalance.js';
import { getLedger } from './handlers/getLedger.js';
import { putRating } from './handlers/putRating.js';
import * as validators from './requests/generated/validators.js';
import { ROUTES } from './routes.js';
import type { BonusApiDeps, BonusContext } from './types.js';

/** The handler of every route in `ROUTES`. */
const HANDLERS: RouteHandlers<(typeof ROUTES)[number], BonusContext> = {
  'PUT /internal/tasks/{task_uid}/rating': putRating,
  'GET /managers/{manager_uid}/balance': getBalance,
  'GET /managers/{manager_uid}/ledger': getLedger,
};

/**
 * Builds the bonus API's handler (API Gateway REST proxy) from its dependencies: `api.ts` passes
 * the Lambda's clients and environment, tests and the offline runtime their own. The internal
 * rating route (called by hiring) and the balance/ledger reads; idempotency records (a POST would
 * honour `Idempotency-Key`) live in the bonus table.
 *
 * @example
 * ```ts
 * const handler = createBonusApi({ doc, tableName: 'bonus' });
 * const result = await handler(apiGatewayEvent);
 * ```
 */
export function createBonusApi(deps: BonusApiDeps): HttpApiHandler {
  const ctx: BonusContext = { doc: deps.doc, tableName: deps.tableName };
  return createHttpApi({
    routes: bindRoutes(ROUTES, HANDLERS, ctx, validators),
    idempotency: { tableName: deps.tableName, client: deps.doc },
    logger: deps.logger,
  });
}
