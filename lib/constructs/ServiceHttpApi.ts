import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { readRequestSchema } from '../../lambdas/shared/http/requests/readRequestSchema.js';
import type { RouteDeclaration } from '../../lambdas/shared/http/routeTable.js';
import { repoPath } from './paths.js';
import { ServiceApi } from './ServiceApi.js';
import { ServiceFunction } from './ServiceFunction.js';

export interface ServiceHttpApiProps {
  /** The service: its router is `lambdas/<service>/api.ts`, its request schemas `lambdas/<service>/requests/`. */
  readonly service: string;
  /** The service's table: read/write granted, `TABLE_NAME` set. */
  readonly table: ITable;
  /** The service's route table (`lambdas/<service>/routes.ts`; `body`: a schema file in `requests/`). */
  readonly routes: readonly RouteDeclaration[];
  /**
   * Extra environment of the router function (e.g. another service's API URL).
   * @default - only `TABLE_NAME`
   */
  readonly environment?: Readonly<Record<string, string>>;
}

/**
 * A service's HTTP face: its router function (`lambdas/<service>/api.ts`) on its own table, behind a
 * `ServiceApi` whose routes and request models come from the service's own route list, so the
 * gateway and the handler validate against the same request schemas.
 */
export class ServiceHttpApi extends Construct {
  readonly function: ServiceFunction;
  readonly api: ServiceApi;

  constructor(scope: Construct, id: string, props: ServiceHttpApiProps) {
    super(scope, id);
    this.function = new ServiceFunction(this, 'Function', {
      service: props.service,
      entry: repoPath(`lambdas/${props.service}/api.ts`),
      description: `hiring-events ${props.service}: HTTP API`,
      environment: { TABLE_NAME: props.table.tableName, ...props.environment },
    });
    props.table.grantReadWriteData(this.function);
    this.api = new ServiceApi(this, 'Api', {
      service: props.service,
      handler: this.function,
      routes: props.routes.map((route) => ({
        method: route.method,
        path: route.path,
        // Self-contained (shared text rules inlined): a model cannot reference a file.
        bodySchema: route.body ? readRequestSchema(repoPath(`lambdas/${props.service}/requests/${route.body}`)) : undefined,
      })),
    });
  }
}
