import type { BackfillCounts } from './backfill.js';

/** Where a command line writes: `process.stdout`/`process.stderr`, or a test's collector. */
export interface OutputStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

/**
 * A one-line progress display: a bar over the table's approximate item count (DescribeTable's
 * ItemCount, refreshed by AWS about every six hours, exact on DynamoDB Local) with the counts.
 * Redraws in place on a terminal, prints a line every `every` ms otherwise (CI logs).
 */
export function progressBar(label: string, approxTotal: number, stream: OutputStream = process.stderr, every = 2000) {
  let last = 0;
  const line = (c: BackfillCounts) => {
    const total = Math.max(approxTotal, c.scanned, 1);
    const width = 24;
    const filled = Math.min(width, Math.round((c.scanned / total) * width));
    const bar = '#'.repeat(filled) + '.'.repeat(width - filled);
    const pct = String(Math.min(100, Math.floor((c.scanned / total) * 100))).padStart(3);
    return `${label} [${bar}] ${pct}% scanned ${c.scanned}/~${total}  matched ${c.matched}  updated ${c.updated}  already done ${c.alreadyDone}  skipped ${c.skipped}`;
  };
  return {
    update(counts: BackfillCounts) {
      if (stream.isTTY) stream.write(`\r${line(counts)}\x1b[K`);
      else if (Date.now() - last >= every) {
        last = Date.now();
        stream.write(`${line(counts)}\n`);
      }
    },
    done(counts: BackfillCounts) {
      stream.write(`${stream.isTTY ? '\r' : ''}${line(counts)}${stream.isTTY ? '\x1b[K' : ''}\n`);
    },
  };
}
