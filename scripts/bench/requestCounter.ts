import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** Requests by command name (`BatchGetItem`, `TransactWriteItems`...). */
export class RequestCounter {
  readonly byCommand = new Map<string, number>();

  add(command: string, count = 1): void {
    this.byCommand.set(command, (this.byCommand.get(command) ?? 0) + count);
  }

  get total(): number {
    return [...this.byCommand.values()].reduce((sum, n) => sum + n, 0);
  }

  reset(): void {
    this.byCommand.clear();
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
   * the `Command` suffix.
   */
  attach(client: DynamoDBClient): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        this.add(String(context.commandName).replace(/Command$/, ''));
        return next(args);
      },
      { step: 'deserialize', name: 'benchRequestCounter' },
    );
  }
}
