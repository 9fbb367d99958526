import { Aws, Fn, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  AuthorizationType,
  JsonSchemaVersion,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  type Model,
  RequestValidator,
  ResponseType,
  RestApi,
  type IResource,
  type JsonSchema,
} from 'aws-cdk-lib/aws-apigateway';
import { PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { RouteDeclaration } from '../../lambdas/shared/http/routeTable.js';
import { apiName, stageOf } from '../stage.js';
import { API_DEFAULTS, FUNCTION_DEFAULTS } from './defaults.js';

/** The HTTP methods the services' routes use. */
export type { HttpMethod } from '../../lambdas/shared/http/types.js';

/** One HTTP route of a service API: a declared route (method, path) with its body schema read. */
export type ServiceRoute = Pick<RouteDeclaration, 'method' | 'path'> & {
  /**
   * JSON Schema (draft-04 keywords) of the request body: the method's model (documentation; the
   * function validates bodies with the same schema).
   * @default - no body model
   */
  readonly bodySchema?: Readonly<Record<string, unknown>>;
};

export interface ServiceApiProps {
  /** Service name, used in the API name and log group. */
  readonly service: string;
  /**
   * The REST API's name.
   * @default - `<stage>-hiring-events-<service>` (`apiName` in lib/stage.ts)
   */
  readonly apiName?: string;
  /** The function that serves every route (a router: handlers stay thin, one cold start per service). */
  readonly handler: IFunction;
  readonly routes: readonly ServiceRoute[];
  /**
   * Stage name.
   * @default v1 (`API_DEFAULTS.stageName`)
   */
  readonly stageName?: string;
  /**
   * Steady-state requests per second per stage.
   * @default 50 (`API_DEFAULTS.throttlingRateLimit`)
   */
  readonly throttlingRateLimit?: number;
  /**
   * Burst.
   * @default 100 (`API_DEFAULTS.throttlingBurstLimit`)
   */
  readonly throttlingBurstLimit?: number;
}

/**
 * A service's REST API: every route IAM-authorized (callers sign with SigV4), request validation
 * against the route's body schema, JSON error bodies in the project's `{"error": {...}}` shape,
 * access logs, throttling, metrics and tracing on the stage.
 */
export class ServiceApi extends Construct {
  readonly api: RestApi;
  readonly stageName: string;
  /** Steady-state requests per second the stage accepts (callers size their concurrency against it). */
  readonly throttlingRateLimit: number;
  /**
   * Base URL built from the API id, not from the deployment stage: a function of another service
   * can hold it in its environment without creating a dependency cycle (the stage depends on
   * every method, each method on its function).
   */
  readonly baseUrl: string;

  constructor(scope: Construct, id: string, props: ServiceApiProps) {
    super(scope, id);
    this.stageName = props.stageName ?? API_DEFAULTS.stageName;
    this.throttlingRateLimit = props.throttlingRateLimit ?? API_DEFAULTS.throttlingRateLimit;
    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: FUNCTION_DEFAULTS.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.api = new RestApi(this, 'Api', {
      restApiName: props.apiName ?? apiName(stageOf(this), props.service),
      description: `hiring-events ${props.service} service API`,
      cloudWatchRole: false,
      deployOptions: {
        stageName: this.stageName,
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: AccessLogFormat.jsonWithStandardFields(),
        throttlingRateLimit: this.throttlingRateLimit,
        throttlingBurstLimit: props.throttlingBurstLimit ?? API_DEFAULTS.throttlingBurstLimit,
        metricsEnabled: true,
        tracingEnabled: true,
        loggingLevel: MethodLoggingLevel.OFF,
      },
      defaultMethodOptions: { authorizationType: AuthorizationType.IAM },
    });
    this.addErrorResponses();
    Validations.of(this.api).acknowledge(
      { id: 'AwsSolutions-COG4', reason: 'Every route uses IAM authorization (SigV4): callers are services and operators with AWS identities, not end users of a Cognito pool.' },
      { id: 'AwsSolutions-APIG3', reason: 'IAM-authorized API with stage throttling; attach an account-level WAF policy (Firewall Manager) where the organisation runs one.' },
      {
        id: 'AwsSolutions-APIG2',
        reason: 'Path parameters are validated by API Gateway; bodies by the function with the same JSON schemas (ajv), so a 400 names the field in valid JSON, which a gateway response cannot (validationErrorString is not escaped).',
      },
      { id: 'AwsSolutions-APIG6', reason: 'Access logs are on; execution logs (every request and response body) stay off: they would log request bodies, and access logs carry what operations need.' },
    );

    // Bodies are validated by the function (ajv, the same schemas): its 400 names the field. API
    // Gateway's body validation could only answer with `validationErrorString`, which gateway
    // responses cannot escape (no VTL there), so its quotes would break the JSON error body. The
    // models stay on the methods as the routes' documentation.
    const validator = new RequestValidator(this, 'Validator', {
      restApi: this.api,
      validateRequestBody: false,
      validateRequestParameters: true,
    });
    const integration = new LambdaIntegration(props.handler, { proxy: true, timeout: API_DEFAULTS.integrationTimeout });
    for (const route of props.routes) {
      const resource = this.resourceFor(route.path);
      const pathParams = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
      resource.addMethod(route.method, integration, {
        requestValidator: validator,
        requestParameters: Object.fromEntries(pathParams.map((p) => [`method.request.path.${p}`, true])),
        requestModels: route.bodySchema ? { 'application/json': this.modelFor(route) } : undefined,
      });
    }

    const stack = Stack.of(this);
    this.baseUrl = Fn.join('', [
      'https://',
      this.api.restApiId,
      '.execute-api.',
      stack.region,
      '.',
      Aws.URL_SUFFIX,
      `/${this.stageName}`,
    ]);
  }

  /** Lets `grantee` call routes under `pathPrefix` (e.g. `/internal/*`) with SigV4. */
  grantInvoke(grantee: IGrantable, pathPrefix = '/*'): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['execute-api:Invoke'],
        resources: [this.api.arnForExecuteApi('*', pathPrefix, this.stageName)],
      }),
    );
  }

  private resourceFor(path: string): IResource {
    let resource: IResource = this.api.root;
    for (const part of path.split('/').filter(Boolean)) {
      resource = resource.getResource(part) ?? resource.addResource(part);
    }
    return resource;
  }

  private modelFor(route: ServiceRoute): Model {
    const name = `${route.method}${route.path}`.replace(/[^A-Za-z0-9]/g, '');
    const { $schema: _ignored, ...schema } = route.bodySchema ?? {};
    return this.api.addModel(`${name}Model`, {
      contentType: 'application/json',
      modelName: name,
      schema: { schema: JsonSchemaVersion.DRAFT4, ...(schema as JsonSchema) },
    });
  }

  /** API Gateway's own rejections (auth, validation, throttling) in the project's error shape. */
  private addErrorResponses(): void {
    const json = (code: string, message: string) => ({
      'application/json': `{"error":{"code":"${code}","message":${message}}}`,
    });
    this.api.addGatewayResponse('BadBody', {
      type: ResponseType.BAD_REQUEST_BODY,
      templates: json('invalid_body', '$context.error.messageString'),
    });
    this.api.addGatewayResponse('BadParameters', {
      type: ResponseType.BAD_REQUEST_PARAMETERS,
      templates: json('invalid_parameters', '$context.error.messageString'),
    });
    this.api.addGatewayResponse('Default4xx', {
      type: ResponseType.DEFAULT_4XX,
      templates: json('$context.error.responseType', '$context.error.messageString'),
    });
    this.api.addGatewayResponse('Default5xx', {
      type: ResponseType.DEFAULT_5XX,
      templates: json('$context.error.responseType', '$context.error.messageString'),
    });
  }
}
