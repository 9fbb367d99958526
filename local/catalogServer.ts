/**
 * Serves the catalog (`docs/`, written by `npm run docs`) on 127.0.0.1 beside the local APIs: the
 * page at `/`, the two documents at `/asyncapi.yaml` and `/openapi.yaml`, the screenshot at
 * `/catalog.png`. Files are read per request, so a new `npm run docs` shows without a restart.
 * Nothing else is served: the names are fixed, no path from the request reaches the file system.
 *
 * @example
 * const catalog = await startCatalogServer();
 * console.log(catalog.url); // http://127.0.0.1:41234/
 * await catalog.close();
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's `docs/`, wherever the process runs from. */
export const DOCS_DIR = fileURLToPath(new URL('../docs/', import.meta.url));

/** URL path -> file of the docs folder, and its content type. */
const FILES: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/index.html': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/asyncapi.yaml': { file: 'asyncapi.yaml', type: 'application/yaml; charset=utf-8' },
  '/openapi.yaml': { file: 'openapi.yaml', type: 'application/yaml; charset=utf-8' },
  '/catalog.png': { file: 'catalog.png', type: 'image/png' },
};

export interface CatalogServer {
  readonly url: string;
  close(): Promise<void>;
}

export interface CatalogServerOptions {
  /** Folder holding the catalog. Default: the repository's `docs/`. */
  readonly dir?: string;
  /** Default: any free port. */
  readonly port?: number;
}

export async function startCatalogServer(options: CatalogServerOptions = {}): Promise<CatalogServer> {
  const dir = resolve(options.dir ?? DOCS_DIR);
  const server = createServer((req, res) => {
    const entry = req.method === 'GET' || req.method === 'HEAD' ? FILES[new URL(req.url ?? '/', 'http://catalog').pathname] : undefined;
    if (!entry) {
      res.writeHead(req.method === 'GET' || req.method === 'HEAD' ? 404 : 405, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`not here: the catalog serves ${Object.keys(FILES).join(' ')}\n`);
      return;
    }
    readFile(join(dir, entry.file)).then(
      (body) => {
        res.writeHead(200, { 'content-type': entry.type, 'cache-control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      () => {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`${join(dir, entry.file)} is missing: run \`npm run docs\`\n`);
      },
    );
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolveListen());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolveClose) => server.close(() => resolveClose())),
  };
}
