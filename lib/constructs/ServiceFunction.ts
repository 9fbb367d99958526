import { createHash } from 'node:crypto';
import { Annotations } from 'aws-cdk-lib';
import { Architecture, determineLatestNodeRuntime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type BundlingOptions, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { acknowledgeUnscopableActions } from '../nag.js';
import { metricsNamespace, stageOf } from '../stage.js';
import { FUNCTION_DEFAULTS } from './defaults.js';

/**
 * Context key that only local synths set (`local/localAssembly.ts`): a fingerprint of everything a
 * bundle is built from (the `lambdas/` sources, the lockfile, tsconfig). With it, each function's
 * asset hash derives from that fingerprint, its entry and its bundling options instead of from the
 * bundle itself, so CDK skips esbuild when that asset folder is already in the output directory and
 * a local synth can reuse the bundles of an earlier one (~90% of a synth's time). `cdk synth` and
 * `cdk deploy` never set it: there the hash stays CDK's default, computed from the bundle output.
 */
export const LOCAL_BUNDLE_SOURCE_CONTEXT = 'hiring-events:local-bundle-source';

/**
 * `NodejsFunction`'s props (each can be overridden) with the project's defaults; `logGroup` is
 * always the function's own.
 */
export interface ServiceFunctionProps extends Omit<NodejsFunctionProps, 'logGroup' | 'memorySize' | 'timeout' | 'logRetention'> {
  /** Absolute path of the TS module exporting `handler`. */
  readonly entry: string;
  /** Service the function belongs to: `POWERTOOLS_SERVICE_NAME` and the metrics' `service` dimension. */
  readonly service: string;
  /**
   * Retention of the function's own log group.
   * @default RetentionDays.ONE_MONTH (`FUNCTION_DEFAULTS.logRetention`)
   */
  readonly logRetention?: RetentionDays;
  /**
   * Memory in MiB.
   * @default 256 (`FUNCTION_DEFAULTS.memorySize`)
   */
  readonly memorySize?: number;
  /**
   * Function timeout.
   * @default 30 seconds (`FUNCTION_DEFAULTS.timeout`)
   */
  readonly timeout?: NodejsFunctionProps['timeout'];
  /**
   * Bundle the AWS SDK v3 (its ES modules, tree-shaken and minified) instead of using the
   * runtime's copy: about half the init CPU (loading the runtime's unminified SDK is ~85% of a
   * function's init), for ~170-250 KB more bundle. Set it on the functions still within the
   * 250 KB budget that way; `npm run bench` prints every service entry point both ways.
   * @default false (`FUNCTION_DEFAULTS.bundleAwsSdk`)
   */
  readonly bundleAwsSdk?: boolean;
}

/**
 * What stays external when the SDK is bundled: the credential providers that
 * `@aws-sdk/credential-provider-node`'s chain imports only when the environment holds no
 * credentials (ini/SSO/process files, web identity, container and instance metadata). In Lambda the
 * first link, the environment, always answers, so they are never loaded there; bundled, they and the
 * STS/SSO clients they pull in would add ~130 KB. Left external, the chain stays whole: elsewhere
 * they resolve like any require.
 */
export const LAZY_CREDENTIAL_PROVIDERS = [
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-web-identity',
  '@aws-sdk/credential-provider-http',
  '@smithy/credential-provider-imds',
];

/**
 * A Lambda function with the project's defaults: bundled by esbuild to minified CJS with source
 * maps (without the sources) for Node 24 (the AWS SDK v3 and its @smithy packages left out: the
 * runtime's copy is used; or bundled, `bundleAwsSdk`), latest Node runtime,
 * ARM, X-Ray tracing, its own log group with retention, Powertools environment
 * (`POWERTOOLS_SERVICE_NAME`, `POWERTOOLS_METRICS_NAMESPACE=HiringEvents/<stage>`: two stages' metrics never mix).
 * Every prop of `NodejsFunction` can still be overridden.
 *
 * @example
 * ```ts
 * const fn = new ServiceFunction(this, 'CreateTask', { service: 'tasks', entry: 'lambdas/tasks/createTaskFunction.ts' });
 * table.grantReadWriteData(fn);
 * ```
 */
export class ServiceFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    const { service, logRetention, environment, bundling, bundleAwsSdk, ...rest } = props;
    const logGroup = new LogGroup(scope, `${id}Logs`, { retention: logRetention ?? FUNCTION_DEFAULTS.logRetention });
    // Its own role, allowed to write only to its own log group (instead of the AWS managed
    // AWSLambdaBasicExecutionRole, which allows every log group of the account).
    const role = rest.role ?? new Role(scope, `${id}Role`, { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    logGroup.grantWrite(role);
    acknowledgeUnscopableActions(role);
    const runtime = rest.runtime ?? determineLatestNodeRuntime(scope);
    const bundlingOptions: BundlingOptions = {
      format: OutputFormat.CJS,
      minify: true,
      sourceMap: true,
      // Positions only: stack traces still name the .ts file and line. `--enable-source-maps`
      // reads and parses the whole map at every cold start, and the sources make it ~4 times
      // larger (~8 ms more init for a 180 KB bundle, measured like `npm run bench`).
      sourcesContent: false,
      target: 'node24',
      ...((bundleAwsSdk ?? FUNCTION_DEFAULTS.bundleAwsSdk)
        ? {
            // The SDK's ES modules (`module`) let esbuild drop what the function never imports;
            // its CommonJS builds (`main`) are single files of every command and protocol.
            mainFields: ['module', 'main'],
            externalModules: LAZY_CREDENTIAL_PROVIDERS,
          }
        : {
            // The AWS SDK v3 and the @smithy packages it is built on (request signing among them)
            // ship with every Node.js Lambda runtime: left out, the runtime's copy is loaded.
            externalModules: ['@aws-sdk/*', '@smithy/*'],
          }),
      // `import()` becomes `require()` in the CommonJS bundle: an SDK client loaded on first use
      // (e.g. `lazySendMessage`) then resolves like every other require, through NODE_PATH to the
      // runtime's copy (ESM resolution ignores NODE_PATH), or is in the bundle with `bundleAwsSdk`.
      esbuildArgs: { '--supported:dynamic-import': 'false' },
      ...bundling,
    };
    const localBundleSource = scope.node.tryGetContext(LOCAL_BUNDLE_SOURCE_CONTEXT) as string | undefined;
    super(scope, id, {
      runtime,
      architecture: Architecture.ARM_64,
      memorySize: FUNCTION_DEFAULTS.memorySize,
      timeout: FUNCTION_DEFAULTS.timeout,
      tracing: Tracing.ACTIVE,
      ...rest,
      role,
      logGroup,
      bundling: localBundleSource ? { ...bundlingOptions, assetHash: localBundleHash(localBundleSource, props.entry, runtime.name, bundlingOptions) } : bundlingOptions,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: service,
        POWERTOOLS_METRICS_NAMESPACE: metricsNamespace(stageOf(scope)),
        ...environment,
      },
    });
    // Every Node.js runtime ships the AWS SDK v3 that the bundles leave out (or, bundled, the
    // credential providers Lambda never reaches). NodejsFunction puts
    // this warning on its scope, not on itself, so it is acknowledged there.
    Annotations.of(scope).acknowledgeWarning(
      '@aws-cdk/aws-lambda-nodejs:variableRuntimeExternals',
      'The only externals are the AWS SDK v3 (@aws-sdk/*) and its @smithy/* packages, which every Lambda Node.js runtime provides.',
    );
  }
}

/** The asset hash of a local synth's bundle: same sources, entry, runtime and options = same bundle. */
function localBundleHash(source: string, entry: string, runtime: string, bundling: BundlingOptions): string {
  return createHash('sha256').update(JSON.stringify([source, entry, runtime, bundling])).digest('hex');
}
