import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Page } from 'playwright-core';

/** Debian's chromium package: the only browser used (nothing is ever downloaded). */
export const CHROMIUM = '/usr/bin/chromium';

/** Headless, as root (CI), and quiet: no background downloads, updates, sync or first-run UI. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
] as const;

/** Throws, naming the install command, when Debian's chromium is not installed. */
export function assertChromium(executable = CHROMIUM): void {
  if (!existsSync(executable)) {
    throw new Error(`${executable} is missing: install Debian's chromium with \`apt-get update && apt-get install -y chromium\` (.ci/run does it in CI)`);
  }
}

/** What went wrong while the page loaded and ran: console errors, uncaught exceptions, failed or non-file requests. */
export interface PageProblems {
  readonly consoleErrors: string[];
  readonly pageErrors: string[];
  readonly failedRequests: string[];
  /** Requests for anything but a `file:` URL: the page must not touch the network. */
  readonly networkRequests: string[];
}

/**
 * Opens `file` from disk in headless chromium (a fresh profile in a temporary folder), records every
 * problem while it loads, hands the page to `use`, then closes the browser and removes the profile.
 * Network requests are aborted (and recorded): a page that needs the network fails instead of
 * working only online.
 *
 * @example
 * ```ts
 * await withPageFromDisk('docs/index.html', async (page, problems) => {
 *   await page.screenshot({ path: '.local/catalog.png' });
 *   expect(problems.consoleErrors).toEqual([]);
 * });
 * ```
 */
export async function withPageFromDisk<T>(
  file: string,
  use: (page: Page, problems: PageProblems) => Promise<T>,
  options: { viewport?: { width: number; height: number } } = {},
): Promise<T> {
  assertChromium();
  const profile = mkdtempSync(join(tmpdir(), 'hiring-events-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_FLAGS],
    viewport: options.viewport ?? { width: 1280, height: 800 },
  });
  const problems: PageProblems = { consoleErrors: [], pageErrors: [], failedRequests: [], networkRequests: [] };
  try {
    await context.route(/^(?!file:)/, async (route) => {
      problems.networkRequests.push(route.request().url());
      await route.abort();
    });
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (message) => {
      if (message.type() === 'error') problems.consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => problems.pageErrors.push(error.message));
    page.on('requestfailed', (request) => problems.failedRequests.push(`${request.url()}: ${request.failure()?.errorText ?? 'failed'}`));
    await page.goto(pathToFileURL(resolve(file)).href, { waitUntil: 'load' });
    return await use(page, problems);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}
