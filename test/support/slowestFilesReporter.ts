import { relative } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

/** How many files the summary lists. */
const SHOWN = 12;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1).padStart(6)} s`;

/**
 * Prints, after every run, the test files that took longest (import + tests + hooks) and the
 * run's wall time, so where `npm test`'s minutes go stays visible in every CI log.
 */
export default class SlowestFilesReporter implements Reporter {
  private started = Date.now();

  onTestRunStart(): void {
    this.started = Date.now();
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const rows = testModules
      .map((module) => {
        const d = module.diagnostic();
        return { file: relative(process.cwd(), module.moduleId), ms: d.collectDuration + d.setupDuration + d.duration };
      })
      .sort((a, b) => b.ms - a.ms);
    const total = rows.reduce((sum, row) => sum + row.ms, 0);
    const lines = rows.slice(0, SHOWN).map((row) => `  ${seconds(row.ms)}  ${row.file}`);
    process.stdout.write(
      `\nSlowest test files (of ${rows.length}; their times add up to ${seconds(total).trim()} across workers, wall time ${seconds(Date.now() - this.started).trim()}):\n${lines.join('\n')}\n`,
    );
  }
}
