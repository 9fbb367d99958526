import { afterAll, vi } from 'vitest';

/**
 * The integration files of a worker share one module cache (`isolate: false`), so what a file
 * stubs (environment variables, globals such as `fetch`) or spies on must end with the file, not
 * leak into the next one. Within a file, stubs made in `beforeAll` keep holding for all its tests.
 */
afterAll(() => {
  // The project's own modules are evaluated again for the next file (their module state, e.g. the
  // credentials a signer memoized from this file's env, ends here); node_modules stay loaded.
  vi.resetModules();
  vi.unstubAllEnvs();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});
