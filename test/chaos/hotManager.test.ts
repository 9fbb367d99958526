import { describe, expect, it } from 'vitest';
import { formatReport, runChaos } from '../../local/faults/run.js';
import { withTestAssembly } from '../support/testAssembly.js';

/**
 * The hot-manager run at a small size inside `npm test` (~100 solutions: a test file must
 * stay small): every solution credits ONE manager, the bonus consumer's pollers at their full
 * concurrency, DynamoDB's transaction conflicts emulated (no other fault). Balance exact, one ledger
 * entry per solution, nothing lost or doubled, and no message in any DLQ.
 * `npm run chaos:hot-manager` is the 2,000-solution run.
 */
describe('hot-manager run: one manager credited by every solution, transaction conflicts on', () => {
  it('~100 solutions: balance exact, ledger = solutions, 0 lost, 0 doubled, 0 DLQ messages', async () => {
    const outdir = await withTestAssembly(async (synth) => synth.outdir);
    const report = await runChaos({
      assemblyDir: outdir,
      seed: 12,
      workload: 'hot-manager',
      solutions: 100,
      events: 0,
      faults: false,
      concurrency: 8,
      quiescenceTimeoutMs: 300_000,
      logFile: '.local/chaos/test-hot-manager-12.log',
    });
    const printed = formatReport(report);
    console.log(printed);
    expect(report.solutions, printed).toBeGreaterThanOrEqual(100);
    expect(report.conflicts.injected, printed).toBeGreaterThan(0);
    expect(report.problems, printed).toEqual([]);
    expect(report.dlq, printed).toEqual([]);
    expect(report.lost, printed).toBe(0);
    expect(report.doubled, printed).toBe(0);
    expect(report.creditedTotal, printed).toBe(report.expectedTotal);
    expect(report.ok, printed).toBe(true);
  }, 900_000);
});
