import { describe, expect, it } from 'vitest';
import { runChaos, formatReport } from '../../local/faults/run.js';
import { withTestAssembly } from '../support/testAssembly.js';

/**
 * A small chaos run inside `npm test`: ~150 business events over HTTP on the
 * offline runtime with every fault kind injected (see local/faults/chaos.ts); the money invariant
 * must hold and every DLQ message must carry its reason. `npm run chaos` is the 1,000-event run.
 */
describe('chaos: the money invariant under duplicated, reordered, failing and crashing deliveries', () => {
  it('~150 business events: balances match the 201 answers, nothing lost, nothing doubled, no unexplained DLQ message', async () => {
    // The end-to-end suite's assembly: same app, same local context, synthesized once per test run.
    const outdir = await withTestAssembly(async (synth) => synth.outdir);
    // Fewer requests in flight than `npm run chaos`: fewer warm sandboxes (worker threads) to start.
    const report = await runChaos({ assemblyDir: outdir, seed: 42, events: 150, concurrency: 8, stories: 6, quiescenceTimeoutMs: 180_000, logFile: '.local/chaos/test-run-42.log' });
    const printed = formatReport(report);
    console.log(printed);
    expect(report.problems, printed).toEqual([]);
    expect(report.lost, printed).toBe(0);
    expect(report.doubled, printed).toBe(0);
    expect(report.ok, printed).toBe(true);
    expect(report.events.total).toBeGreaterThanOrEqual(150);
    expect(report.creditedTotal).toBe(report.expectedTotal);
    // The faults really happened: duplicated deliveries, crashes and failing AWS calls.
    expect(report.faults.byKind['sqs-delivery:duplicate'] ?? 0).toBeGreaterThan(0);
    expect(report.faults.total - (report.faults.byKind['sqs-delivery:duplicate'] ?? 0)).toBeGreaterThan(50);
    expect(Object.keys(report.faults.byKind).some((k) => k.startsWith('lambda:crash'))).toBe(true);
    expect(Object.keys(report.faults.byKind).some((k) => k.startsWith('dynamodb:'))).toBe(true);
    // DynamoDB's transaction conflicts are emulated, met, and counted in the summary.
    expect(report.conflicts.emulated).toBe(true);
    expect(report.conflicts.injected, printed).toBeGreaterThan(0);
    expect(printed).toMatch(/transaction conflicts injected \(DynamoDB, emulated\): \d+/);
    // A ceiling above the run's own waits (a propagation up to 300 s, quiescence up to 180 s), not a budget:
    // 80 s alone on an idle 2-core machine, 480 s there beside a second full suite.
  }, 1_200_000);
});
