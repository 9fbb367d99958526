/**
 * `npm run docs:screenshot` — the README's picture of the catalog: opens `docs/index.html` from disk in
 * headless chromium (Debian's, see scripts/docs/browser.ts) and saves the top of the page to
 * `docs/catalog.png`. Not part of `npm run docs`: a PNG depends on the machine's fonts, so it is
 * refreshed by hand when the page's look changes, not checked for freshness.
 *
 * Usage: `npm run docs:screenshot -- [--page docs/index.html] [--out docs/catalog.png]`
 */
import { parseArgs } from 'node:util';
import { withPageFromDisk } from './docs/browser.js';

const { values } = parseArgs({ options: { page: { type: 'string', default: 'docs/index.html' }, out: { type: 'string', default: 'docs/catalog.png' } } });

try {
  await withPageFromDisk(
    values.page,
    async (page, problems) => {
      await page.waitForSelector('#catalog[data-ready="true"]');
      await page.screenshot({ path: values.out });
      const all = [...problems.consoleErrors, ...problems.pageErrors, ...problems.failedRequests, ...problems.networkRequests];
      if (all.length > 0) throw new Error(`the page had problems:\n${all.join('\n')}`);
    },
    { viewport: { width: 1280, height: 900 } },
  );
  console.log(`wrote ${values.out}`);
} catch (error) {
  console.error(`npm run docs:screenshot: ${(error as Error).message}`);
  process.exitCode = 1;
}
