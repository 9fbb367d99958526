import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { MIGRATION_IDS, MIGRATIONS } from '../../lambdas/shared/migrations/steps.js';
import { readSchemaCatalog } from '../../lib/schemaCatalog.js';
import { assertChromium, withPageFromDisk } from '../../scripts/docs/browser.js';
import type { LooseJsonObject as Json } from '../../local/looseJson.js';

/**
 * docs/index.html in a real browser: Debian's chromium, headless, driven by playwright-core (no
 * browser download). The page opens from disk with no server; everything it shows is checked
 * against the sources and the committed documents, and nothing may fail to load. Never skipped:
 * CI installs chromium (.ci/run); locally a missing chromium fails with the install command.
 */

const SCREENSHOT = '.local/catalog.png';

describe('the catalog page (docs/index.html)', () => {
  it('finds Debian\'s chromium, or says how to install it', () => {
    expect(() => assertChromium('/no/such/chromium')).toThrow('apt-get update && apt-get install -y chromium');
    assertChromium();
  });

  it('shows every event version, the final step\'s live events with their producer and consumers, every route and the six link timelines, with nothing failing to load', async () => {
    const asyncapi = parse(readFileSync('docs/asyncapi.yaml', 'utf8')) as Json;
    const openapi = parse(readFileSync('docs/openapi.yaml', 'utf8')) as Json;
    const liveKeys = Object.keys(asyncapi.channels).sort();
    const operations = Object.values(asyncapi.operations as Record<string, Json>);
    const routes = Object.values(openapi.paths as Record<string, Json>)
      .flatMap((item) => Object.entries(item).filter(([k]) => ['get', 'put', 'post', 'delete'].includes(k)))
      .map(([method, op]) => `${(op as Json).tags[0]} ${method.toUpperCase()} ${(op as Json).summary.split(' ')[1]}`)
      .sort();

    await withPageFromDisk('docs/index.html', async (page, problems) => {
      await page.waitForSelector('#catalog[data-ready="true"]', { timeout: 60_000 });

      // Events: every version of schemas/, on the bus exactly when the AsyncAPI document has its channel.
      const versions = await page.$$eval('section.version', (sections) => sections.map((s) => [s.getAttribute('data-key'), s.getAttribute('data-on-bus')]));
      expect(versions.map(([k]) => k).sort()).toEqual(readSchemaCatalog().map((s) => `${s.eventName}.v${s.version}`).sort());
      expect(versions.filter(([, onBus]) => onBus === 'true').map(([k]) => k).sort()).toEqual(liveKeys);
      for (const key of liveKeys) {
        const section = page.locator(`section.version[data-key="${key}"]`);
        const producers = operations.filter((o) => o.action === 'send' && o.channel.$ref === `#/channels/${key}`).map((o) => o['x-producer'].service);
        const consumers = operations.filter((o) => o.action === 'receive' && o.channel.$ref === `#/channels/${key}`).map((o) => o['x-consumer'].service);
        expect(await section.locator('li.producer').evaluateAll((els) => els.map((e) => e.getAttribute('data-service'))), `${key} producer`).toEqual(producers);
        expect((await section.locator('li.consumer').evaluateAll((els) => els.map((e) => e.getAttribute('data-service')))).sort(), `${key} consumers`).toEqual(consumers.sort());
        // Schema and example are there (collapsed): the JSON of the example names the event.
        expect(await section.locator('details.example pre').textContent()).toContain(`"event_name": "${key.split('.v')[0]}"`);
        expect(await section.locator('details.schema pre').textContent()).toContain('"payload"');
      }

      // Routes: every operation of the OpenAPI document, and the routes earlier steps had, marked removed.
      expect((await page.$$eval('tr.route[data-route]', (rows) => rows.map((r) => r.getAttribute('data-route')))).sort()).toEqual(routes);
      expect(await page.$$eval('tr.route[data-retired-route]', (rows) => rows.map((r) => r.getAttribute('data-retired-route')))).toEqual(
        expect.arrayContaining(['tasks GET /internal/managers/{manager_uid}', 'tasks POST /internal/tasks/{task_uid}/update-requests']),
      );

      // The six links, each with all its steps.
      const links = await page.$$eval('article.link', (articles) => articles.map((a) => [a.getAttribute('data-link'), a.querySelectorAll('li.step').length]));
      expect(links).toEqual(MIGRATION_IDS.map((id) => [MIGRATIONS[id].key, MIGRATIONS[id].last + 1]));
      const step6 = page.locator('li.step[id="migration.task-created-v1-6"]');
      expect(await step6.locator('li.chip.add').textContent()).toContain('bonus consumes TaskCreated.v1 from tasks');

      // The filter narrows the page to what matches.
      await page.fill('#filter', 'TaskSolved');
      expect(await page.$$eval('section.version:not([hidden])', (els) => els.map((e) => e.getAttribute('data-key')))).toEqual(['TaskSolved.v0']);
      await page.fill('#filter', '');
      expect(await page.locator('section.version:not([hidden])').count()).toBe(versions.length);

      mkdirSync('.local', { recursive: true });
      const png = await page.screenshot({ path: SCREENSHOT, fullPage: true });
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      expect(problems).toEqual({ consoleErrors: [], pageErrors: [], failedRequests: [], networkRequests: [] });
    });
  }, 180_000);

  it('reports a page that reaches for the network or throws (control for the check above)', async () => {
    mkdirSync('.local', { recursive: true });
    const file = '.local/catalog-control.html';
    writeFileSync(file, '<!doctype html><script src="https://cdn.example.invalid/lib.js"></script><script>null.boom()</script>');
    await withPageFromDisk(file, async (_page, problems) => {
      expect(problems.networkRequests).toEqual(['https://cdn.example.invalid/lib.js']);
      expect(problems.pageErrors).toHaveLength(1);
      expect(problems.failedRequests).toHaveLength(1);
    });
  }, 120_000);
});
