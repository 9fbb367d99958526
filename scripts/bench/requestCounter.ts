import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** Requests by command name (`BatchGetItem`, `TransactWriteItems`...). */
export class RequestCounter {
  readonly byCommand = new Map<string, number>();
  /** Round-trip ms summed by command (`attach` only): what a request of each kind waits for. */
  readonly msByCommand = new Map<string, number>();

  add(command: string, count = 1): void {
    this.byCommand.set(command, (this.byCommand.get(command) ?? 0) + count);
  }

  get total(): number {
    return [...this.byCommand.values()].reduce((sum, n) => sum + n, 0);
  }

  reset(): void {
    this.byCommand.clear();
    this.msByCommand.clear();
  }

  /** `BatchGetItem 8.1 ms, TransactWriteItems 17.0 ms`: the mean round trip of each command (`attach` only). */
  describeLatency(): string {
    return [...this.msByCommand.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([command, ms]) => `${command} ${(ms / (this.byCommand.get(command) ?? 1)).toFixed(1)} ms`)
      .join(', ');
  }

  /** `BatchGetItem 0.10, TransactWriteItems 0.11` per `per` (e.g. per record). */
  describe(per = 1, digits = 2): string {
    return [...this.byCommand.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([command, n]) => `${command} ${(n / per).toFixed(digits)}`)
      .join(', ');
  }

  /**
   * Counts every HTTP request `client` sends — each attempt, SDK retries included (the middleware
   * sits in the deserialize step, below the retry middleware) — under its command name without
   * the `Command` suffix, and times its round trip.
   */
  attach(client: DynamoDBClient): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const command = String(context.commandName).replace(/Command$/, '');
        this.add(command);
        const started = performance.now();
        try {
          return await next(args);
        } finally {
          this.msByCommand.set(command, (this.msByCommand.get(command) ?? 0) + performance.now() - started);
        }
      },
      { step: 'deserialize', name: 'benchRequestCounter' },
    );
  }
}
