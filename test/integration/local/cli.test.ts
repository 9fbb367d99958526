import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../../../local/net.js';
import { withTestAssembly } from '../../support/testAssembly.js';

/**
 * `npm start` itself (local/cli.ts as a process, from its own working directory so its
 * `.local/endpoints.json` is not the developer's): the README's first command, minus the synth that
 * the other suites already cover. Launched as the npm script launches it, `node --import tsx`: one
 * process, so the signals below reach the CLI's own handlers (tsx is resolved from here because the
 * working directory has no node_modules).
 */
const startScript = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { start: string } }).scripts.start;
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

function startCli(cwd: string, args: string[]): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  let output = '';
  expect(startScript).toBe('node --import tsx local/cli.ts');
  const child = spawn(process.execPath, ['--import', tsxLoader, resolve('local/cli.ts'), ...args], { cwd, env: process.env });
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return { child, output: () => output, exited };
}

describe('npm start (local/cli.ts)', () => {
  it('serves the three APIs, reloads on SIGHUP, writes .local/endpoints.json, and stops cleanly on SIGTERM removing it', async () => {
    await withTestAssembly(async ({ outdir }) => {
      const cwd = mkdtempSync(join(tmpdir(), 'cli-test-'));
      const cli = startCli(cwd, ['--assembly', resolve(outdir), '--in-memory']);
      try {
        await waitFor(() => cli.output().includes('Local runtime is up') || cli.child.exitCode !== null, { timeoutMs: 120_000, intervalMs: 100, what: 'the CLI to report the runtime up' });
        expect(cli.output()).toContain('Local runtime is up');
        const endpoints = JSON.parse(readFileSync(join(cwd, '.local/endpoints.json'), 'utf8')) as Record<'hiring' | 'tasks' | 'bonus', string>;
        for (const service of ['hiring', 'tasks', 'bonus'] as const) expect(cli.output()).toContain(endpoints[service]);
        // A real route through its function: an unknown candidate is a 404 with the API's error body.
        const answer = await fetch(new URL(`candidates/${randomUUID()}`, endpoints.hiring));
        expect(answer.status).toBe(404);
        expect(await answer.json()).toMatchObject({ error: { code: 'not_found' } });
        // The pid the CLI prints for `kill -HUP` is its own, and a reload keeps it serving.
        expect(cli.output()).toContain(`kill -HUP ${cli.child.pid}`);
        expect(cli.output()).toMatch(/DynamoDB as the functions see it: http:\/\/127\.0\.0\.1:\d+ +\(transaction conflicts emulated/);
        cli.child.kill('SIGHUP');
        await waitFor(() => cli.output().includes('[local] reloaded') || cli.child.exitCode !== null, { timeoutMs: 120_000, intervalMs: 100, what: 'the CLI to report the reload' });
        expect(cli.output()).toContain('[local] reloaded');
        expect((await fetch(new URL(`candidates/${randomUUID()}`, endpoints.hiring))).status).toBe(404);
      } finally {
        cli.child.kill('SIGTERM');
      }
      expect(await cli.exited).toBe(0);
      expect(existsSync(join(cwd, '.local/endpoints.json'))).toBe(false);
    });
  }, 240_000);

  it('refuses a missing assembly and a taken port with messages naming them, exit code 1', async () => {
    const missing = startCli(mkdtempSync(join(tmpdir(), 'cli-test-')), ['--assembly', resolve('.local/no-such-assembly'), '--in-memory']);
    expect(await missing.exited).toBe(1);
    expect(missing.output()).toContain('[local] cannot start: No cloud assembly at');

    const holder = createServer();
    await new Promise<void>((done) => holder.listen(0, '127.0.0.1', done));
    const port = (holder.address() as AddressInfo).port;
    try {
      await withTestAssembly(async ({ outdir }) => {
        const taken = startCli(mkdtempSync(join(tmpdir(), 'cli-test-')), ['--assembly', resolve(outdir), '--in-memory', '--port-dynamodb', String(port)]);
        expect(await taken.exited).toBe(1);
        expect(taken.output()).toContain(`[local] cannot start: Port ${port} (local dynamodb) is already in use`);
      });
    } finally {
      holder.close();
    }
  }, 240_000);
});
