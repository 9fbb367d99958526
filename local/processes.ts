/** Other processes by pid: is one running, and stopping one (SIGTERM, then SIGKILL). */
import { readFileSync } from 'node:fs';
import { waitFor } from './net.js';

/** True while `pid` runs (EPERM: it exists, owned by someone else). A zombie (exited, not reaped yet) is not running. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc (macOS): the signal check is all there is
  }
}

function signal(pid: number, name: NodeJS.Signals): boolean {
  try {
    process.kill(pid, name);
    return true;
  } catch {
    return false; // already gone
  }
}

/** SIGTERM, then SIGKILL when `pid` is still there after `graceMs`; resolves once it is gone. */
export async function stopProcess(pid: number, graceMs = 10_000): Promise<void> {
  if (!signal(pid, 'SIGTERM')) return;
  const stopped = await waitFor(() => !isRunning(pid), { timeoutMs: graceMs, intervalMs: 50, what: `process ${pid} to stop` }).catch(() => false);
  if (stopped || !signal(pid, 'SIGKILL')) return;
  await waitFor(() => !isRunning(pid), { timeoutMs: 5_000, intervalMs: 50, what: `process ${pid} to stop after SIGKILL` });
}
