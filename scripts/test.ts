/**
 * `npm test`: the static checks (`npm run check`: types, lint, schema gate, generated validators
 * and catalog) beside every vitest suite, not before them. vitest leaves about a fifth of two cores
 * idle (its files wait on DynamoDB Local, the SQS server and Lambda workers), and the checks' ~25 s
 * fit in it. The checks' output is printed once vitest has ended; either failing fails the run.
 * Arguments go to vitest (`npm test -- test/unit`).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

type Exit = { code: number | null; signal: NodeJS.Signals | null };
const exited = (child: ReturnType<typeof spawn>) => new Promise<Exit>((done) => child.once('close', (code, signal) => done({ code, signal })));

const checks = spawn('npm', ['run', '--silent', 'check'], { stdio: ['ignore', 'pipe', 'pipe'] });
let checksOutput = '';
checks.stdout!.on('data', (chunk: Buffer) => (checksOutput += chunk.toString()));
checks.stderr!.on('data', (chunk: Buffer) => (checksOutput += chunk.toString()));
// vitest's own bin (its package exports no path to it): the one `npx vitest` runs.
const vitestPackage = createRequire(import.meta.url).resolve('vitest/package.json');
const vitestBin = join(dirname(vitestPackage), (JSON.parse(readFileSync(vitestPackage, 'utf8')) as { bin: { vitest: string } }).bin.vitest);
const vitest = spawn(process.execPath, [vitestBin, 'run', ...process.argv.slice(2)], { stdio: 'inherit' });
// Ctrl-C reaches both children through the terminal's process group; a plain SIGTERM to this script is passed on.
process.once('SIGTERM', () => {
  checks.kill('SIGTERM');
  vitest.kill('SIGTERM');
});

const [checked, tested] = await Promise.all([exited(checks), exited(vitest)]);
process.stdout.write(`\n── npm run check (types, lint, schema gate, generated files) ──\n${checksOutput.trim()}\n`);
const ok = (exit: Exit) => exit.code === 0;
process.stdout.write(`\nchecks: ${ok(checked) ? 'passed' : `FAILED (exit ${checked.code ?? checked.signal})`}; vitest: ${ok(tested) ? 'passed' : `FAILED (exit ${tested.code ?? tested.signal})`}\n`);
process.exit(ok(checked) && ok(tested) ? 0 : 1);
