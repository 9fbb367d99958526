/**
 * Delay before retry number `attempt` (1 = the first retry): "full jitter", a uniform draw in
 * `[0, min(maxDelayMs, baseDelayMs * 2^(attempt-1)))`. Full jitter spreads the retries of many
 * callers hitting the same failing service, where plain exponential backoff would synchronize them.
 *
 * @example
 * ```ts
 * await sleep(backoffDelay(attempt, { baseDelayMs: 100, maxDelayMs: 2000 }));
 * ```
 */
export function backoffDelay(
  attempt: number,
  options: { baseDelayMs: number; maxDelayMs: number },
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}
