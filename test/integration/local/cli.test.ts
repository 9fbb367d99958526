import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { isRunning } from '../../../local/processes.js';
import { PID_FILE } from '../../../local/dynamodb-local.js';
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

function startCli(cwd: string, args: string[], preload: string[] = []): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  let output = '';
  expect(startScript).toBe('node --import tsx local/cli.ts');
  const imports = [tsxLoader, ...preload].flatMap((module) => ['--import', module]);
  const child = spawn(process.execPath, [...imports, resolve('local/cli.ts'), ...args], { cwd, env: process.env });
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
        // The catalog page (docs/index.html) is served at the URL printed with the APIs.
        const catalog = await fetch(/Catalog +(http:\/\/127\.0\.0\.1:\d+\/)/.exec(cli.output())![1]!);
        expect([catalog.status, await catalog.text()]).toEqual([200, expect.stringContaining('<title>hiring-events catalog</title>')]);
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

  const up = (cli: ReturnType<typeof startCli>) =>
    waitFor(() => cli.output().includes('Local runtime is up') || cli.child.exitCode !== null, { timeoutMs: 120_000, intervalMs: 100, what: 'the CLI to report the runtime up' });
  const jvmPid = (dataDir: string) => (JSON.parse(readFileSync(join(dataDir, PID_FILE), 'utf8')) as { pid: number }).pid;

  it('a crash stops DynamoDB Local and removes .local/endpoints.json (exit code 1)', async () => {
    await withTestAssembly(async ({ outdir }) => {
      const cwd = mkdtempSync(join(tmpdir(), 'cli-test-'));
      const dataDir = join(cwd, 'db');
      const cli = startCli(cwd, ['--assembly', resolve(outdir), '--data', dataDir], [pathToFileURL(resolve('test/integration/local/fixtures/crash-after-start.mjs')).href]);
      try {
        await up(cli);
        expect(cli.output()).toContain('Local runtime is up');
        const jvm = jvmPid(dataDir);
        expect(await cli.exited).toBe(1);
        expect(cli.output()).toContain('injected crash');
        expect(cli.output()).toContain('stopping the local runtime');
        expect(existsSync(join(cwd, '.local/endpoints.json'))).toBe(false);
        expect(existsSync(join(dataDir, PID_FILE))).toBe(false);
        await waitFor(() => !isRunning(jvm), { timeoutMs: 15_000, what: `DynamoDB Local (pid ${jvm}) to stop` });
      } finally {
        cli.child.kill('SIGKILL');
      }
    });
  }, 240_000);

  it('after a SIGKILL, the next start removes the stale endpoints file and stops the DynamoDB Local left on the data; a live run is never displaced', async () => {
    await withTestAssembly(async ({ outdir }) => {
      const cwd = mkdtempSync(join(tmpdir(), 'cli-test-'));
      const dataDir = join(cwd, 'db');
      const args = ['--assembly', resolve(outdir), '--data', dataDir];
      const killed = startCli(cwd, args);
      let orphan: number | undefined;
      try {
        await up(killed);
        orphan = jvmPid(dataDir);
        killed.child.kill('SIGKILL');
        await killed.exited;
        // What a SIGKILL leaves: the JVM on the data folder and the endpoints file pointing at dead ports.
        expect(isRunning(orphan)).toBe(true);
        expect(existsSync(join(cwd, '.local/endpoints.json'))).toBe(true);

        const next = startCli(cwd, args);
        try {
          await up(next);
          expect(next.output()).toContain(`removed a stale .local/endpoints.json (its runtime, pid ${killed.child.pid}, is not running)`);
          expect(next.output()).toContain(`stopping DynamoDB Local (pid ${orphan}) left running on ${dataDir}`);
          expect(isRunning(orphan)).toBe(false);
          const endpoints = JSON.parse(readFileSync(join(cwd, '.local/endpoints.json'), 'utf8')) as { hiring: string; pid: number };
          expect(endpoints.pid).toBe(next.child.pid);
          expect((await fetch(new URL(`candidates/${randomUUID()}`, endpoints.hiring))).status).toBe(404);

          // A second start beside the live one is refused, naming what to stop; the live one keeps serving.
          const sameDir = startCli(cwd, args);
          expect(await sameDir.exited).toBe(1);
          expect(sameDir.output()).toContain(`belongs to a runtime that is still running (pid ${next.child.pid}): stop it first (\`kill ${next.child.pid}\`)`);
          const sameData = startCli(mkdtempSync(join(tmpdir(), 'cli-test-')), args);
          expect(await sameData.exited).toBe(1);
          expect(sameData.output()).toContain(`started by process ${next.child.pid} still holds ${dataDir}`);
          expect(sameData.output()).toContain(`\`kill ${next.child.pid}\``);
          expect((await fetch(new URL(`candidates/${randomUUID()}`, endpoints.hiring))).status).toBe(404);
        } finally {
          next.child.kill('SIGTERM');
        }
        expect(await next.exited).toBe(0);
      } finally {
        killed.child.kill('SIGKILL');
        if (orphan !== undefined && isRunning(orphan)) process.kill(orphan, 'SIGKILL');
      }
    });
  }, 360_000);
});
