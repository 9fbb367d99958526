import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LambdaInvocationError, LambdaRunner, type FunctionDefinition } from '../../../local/lambda-runner.js';

/** A handler that answers its environment's VERSION after `event.waitMs`. */
function slowFunction(version: string, overrides: Partial<FunctionDefinition> = {}): FunctionDefinition {
  const codeDir = mkdtempSync(join(tmpdir(), 'runner-test-'));
  writeFileSync(
    join(codeDir, 'index.js'),
    'exports.handler = async (event) => { await new Promise((r) => setTimeout(r, event.waitMs ?? 0)); return { version: process.env.VERSION }; };',
  );
  return { key: 'S/Fn', name: 'S-Fn', codeDir, handler: 'index.handler', timeoutSeconds: 30, env: { VERSION: version }, ...overrides };
}

let runner: LambdaRunner | undefined;
afterEach(async () => {
  await runner?.stop();
  runner = undefined;
});

describe('LambdaRunner when definitions change (a reload)', () => {
  it('lets a running invocation finish on the old code and runs the next one on the new', async () => {
    const old = slowFunction('1');
    runner = new LambdaRunner([old]);
    const running = runner.invoke('S/Fn', { waitMs: 500 });
    await expect.poll(() => runner!.inFlight).toBe(1);
    runner.update([{ ...old, env: { VERSION: '2' } }]);
    const started = Date.now();
    await expect(running).resolves.toEqual({ version: '1' });
    // Well before the 30 s timeout that a killed sandbox would have waited for.
    expect(Date.now() - started).toBeLessThan(10_000);
    await expect(runner.invoke('S/Fn', {})).resolves.toEqual({ version: '2' });
  });

  it('runs an invocation that was waiting for a sandbox on the new definition', async () => {
    const old = slowFunction('1', { maxConcurrency: 1 });
    runner = new LambdaRunner([old]);
    const first = runner.invoke('S/Fn', { waitMs: 500 });
    const waiting = runner.invoke('S/Fn', {});
    await expect.poll(() => runner!.inFlight).toBe(2);
    runner.update([{ ...old, env: { VERSION: '2' } }]);
    await expect(first).resolves.toEqual({ version: '1' });
    await expect(waiting).resolves.toEqual({ version: '2' });
  });

  it('keeps the warm sandboxes of a function redeployed unchanged from another assembly folder, as CloudFormation leaves it alone', async () => {
    // Counts its invocations in module state: a warm sandbox answers 2, a cold one 1.
    const counting = (codeId: string): FunctionDefinition => {
      const codeDir = mkdtempSync(join(tmpdir(), 'runner-test-'));
      writeFileSync(
        join(codeDir, 'index.js'),
        'let n = 0; exports.handler = async (event) => { n += 1; await new Promise((r) => setTimeout(r, event.waitMs ?? 0)); return { n, dir: __dirname }; };',
      );
      return { key: 'S/Fn', name: 'S-Fn', codeDir, codeId, handler: 'index.handler', timeoutSeconds: 30, env: { LAMBDA_TASK_ROOT: codeDir } };
    };
    const first = counting('same.zip');
    runner = new LambdaRunner([first]);
    expect(await runner.invoke('S/Fn', {})).toEqual({ n: 1, dir: first.codeDir });

    const resynthesized = counting('same.zip');
    runner.update([resynthesized]);
    expect(await runner.invoke('S/Fn', {})).toEqual({ n: 2, dir: first.codeDir });
    // A second sandbox, needed by a concurrent invocation, loads the code from the new folder.
    const both = await Promise.all([runner.invoke('S/Fn', { waitMs: 300 }), runner.invoke('S/Fn', { waitMs: 300 })]);
    expect(both).toContainEqual({ n: 1, dir: resynthesized.codeDir });

    const newCode = counting('other.zip');
    runner.update([newCode]);
    expect(await runner.invoke('S/Fn', {})).toEqual({ n: 1, dir: newCode.codeDir });
  });

  it('fails a running invocation at once when the runner stops, not at its timeout', async () => {
    runner = new LambdaRunner([slowFunction('1')]);
    const running = runner.invoke('S/Fn', { waitMs: 20_000 });
    await expect.poll(() => runner!.inFlight).toBe(1);
    const started = Date.now();
    const failed = expect(running).rejects.toBeInstanceOf(LambdaInvocationError);
    await runner.stop();
    await failed;
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
