import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startCatalogServer, type CatalogServer } from '../../../local/catalogServer.js';

describe('startCatalogServer', () => {
  let server: CatalogServer | undefined;
  afterEach(async () => server?.close());

  it('serves the page and the documents of the docs folder on 127.0.0.1, read per request', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'catalog-'));
    writeFileSync(join(dir, 'index.html'), '<title>one</title>');
    writeFileSync(join(dir, 'asyncapi.yaml'), 'asyncapi: 3.0.0\n');
    server = await startCatalogServer({ dir });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);

    const page = await fetch(server.url);
    expect([page.status, page.headers.get('content-type'), await page.text()]).toEqual([200, 'text/html; charset=utf-8', '<title>one</title>']);
    expect(await (await fetch(new URL('asyncapi.yaml', server.url))).text()).toBe('asyncapi: 3.0.0\n');
    writeFileSync(join(dir, 'index.html'), '<title>two</title>');
    expect(await (await fetch(new URL('index.html', server.url))).text()).toBe('<title>two</title>');
  });

  it('answers 404 for anything else (no path reaches the file system), naming npm run docs for a missing file, and 405 to writes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'catalog-'));
    writeFileSync(join(dir, 'secret.txt'), 'no');
    server = await startCatalogServer({ dir });
    for (const path of ['secret.txt', '../package.json', '%2e%2e/package.json']) expect((await fetch(new URL(path, server.url))).status).toBe(404);
    const missing = await fetch(new URL('openapi.yaml', server.url));
    expect([missing.status, await missing.text()]).toEqual([404, expect.stringContaining('run `npm run docs`')]);
    expect((await fetch(server.url, { method: 'POST', body: 'x' })).status).toBe(405);
  });

  it('serves the repository docs/ by default', async () => {
    server = await startCatalogServer();
    const page = await fetch(server.url);
    expect([page.status, await page.text()]).toEqual([200, expect.stringContaining('<title>hiring-events catalog</title>')]);
  });
});
