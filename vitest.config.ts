import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    reporters: ['default', './test/support/slowestFilesReporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Vitest's default (cores - 1) runs the files one by one on a 2-core box, though most of them wait on
    // DynamoDB Local, the SQS server and Lambda worker threads rather than on the CPU: two at a time
    // cut the wall time by about a third there.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // The AWS SDK warns once per process that Node 20 support ends in 2027; the project targets Node 20 locally on purpose.
    // Handlers' JSON logs and EMF metrics would bury the test report; tests that check them spy on the logger and metrics.
    // CDK's built-in CloudFormation validation costs ~5 s per synthesizing test file (a WASM rule engine);
    // the nag tests register it explicitly and require a clean report for the whole app at every step.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true', CDK_VALIDATION: 'false' },
    projects: [
      {
        // `npm run test:unit`: no Java, no servers, no synth of the whole app (aws-sdk-client-mock, pure functions).
        // Not isolated: the files of a worker share one module cache, so the AWS SDK, Powertools and
        // aws-cdk-lib load once per worker instead of once per file (imports were ~55 of the ~70 s
        // this project took on a loaded 2-core machine). Hence the rules for these files: env only
        // through `vi.stubEnv` (restored after each test by `unstubEnvs`), mocks reset in `beforeEach`.
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts', 'test/migrations/**/*.test.ts'], isolate: false, unstubEnvs: true },
      },
      {
        // The synthesized app: CDK assertions, cdk-nag, the generated catalog and its page in a browser.
        extends: true,
        // One module graph per worker (aws-cdk-lib, cdk-nag, the app's code) instead of one per file:
        // importing it took ~10 s a file. These tests only synthesize and read templates.
        test: { name: 'infra', include: ['test/infra/**/*.test.ts', 'test/docs/**/*.test.ts'], isolate: false },
      },
      {
        // One DynamoDB Local and one SQS server for the whole project, started only when it runs.
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts', 'test/chaos/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          // Not isolated either: a fresh process per file and its imports (the AWS SDK, the
          // services, the local runtime) cost ~2 s of CPU each, ~90 s over this project. After each
          // file, the project's own modules are evaluated anew (their state, e.g. a signer's memoized
          // credentials, ends with the file) and env, globals and spies are restored (fileIsolation.ts).
          isolate: false,
          setupFiles: ['test/support/fileIsolation.ts'],
        },
      },
    ],
  },
});
