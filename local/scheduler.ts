/**
 * Scheduled invocations of the assembly, on timers: `AWS::Events::Rule`s with a `ScheduleExpression`
 * (any bus) and EventBridge Scheduler `AWS::Scheduler::Schedule`s, with `rate(N minute|minutes|hour|hours|day|days)`
 * expressions and Lambda or SQS targets. A rule's Lambda target gets the scheduled event AWS sends
 * (`detail-type: Scheduled Event`, `source: aws.events`, `resources: [<rule ARN>]`) unless the target
 * has an `Input`; a Scheduler target gets its `Input` (or `{}`).
 *
 * Time is compressible: `secondsPerMinute` says how long one scheduled minute lasts (60 = real time;
 * local runs use `LOCAL_SCHEDULE_SECONDS_PER_MINUTE`, since EventBridge's finest rate is one minute and
 * the template cannot say seconds). Differences from AWS, on purpose: the first run comes one period
 * after the schedule appears; a tick while the same schedule's previous run is still going is skipped
 * (AWS would start another); a failed run is logged, not retried. `cron(...)`/`at(...)` expressions,
 * disabled rules and other target types are not run (a warning names them).
 *
 * @example
 * const scheduler = new LocalScheduler({ secondsPerMinute: 1, targets: { lambda: (arn, e) => runner.invoke(arn, e), sqs }, onError: log });
 * scheduler.update(loadSchedules(assembly, resolver, log));
 * await scheduler.stop();
 */
import { randomUUID } from 'node:crypto';
import { LOCAL_ACCOUNT, LOCAL_REGION, type CloudAssembly, type Resolver } from './assembly.js';

export interface LocalScheduleTarget {
  readonly arn: string;
  /** The payload (JSON text) the target receives. */
  readonly input: string | undefined;
}

export interface LocalSchedule {
  /** `<stack>/<logicalId>`. */
  readonly key: string;
  readonly expression: string;
  /** The period in scheduled minutes. */
  readonly periodMinutes: number;
  /** The rule's ARN (resources of the scheduled event); undefined for a Scheduler schedule. */
  readonly ruleArn?: string;
  readonly targets: readonly LocalScheduleTarget[];
}

export interface ScheduleTargets {
  /** Invokes the function with ARN `arn` with `payload` and settles when it has run. */
  lambda(arn: string, payload: unknown): Promise<unknown>;
  /** Sends `body` to the queue with ARN `arn`. */
  sqs(arn: string, body: string): Promise<void>;
}

export interface LocalSchedulerOptions {
  /** Real seconds one scheduled minute lasts. Default: 60 (real time). */
  readonly secondsPerMinute?: number;
  readonly targets: ScheduleTargets;
  readonly onError: (message: string) => void;
}

const UNITS: Record<string, number> = { minute: 1, minutes: 1, hour: 60, hours: 60, day: 1440, days: 1440 };

/** The period of a `rate(...)` expression in minutes, or `undefined` for anything else (cron, at). */
export function rateMinutes(expression: string): number | undefined {
  const match = /^rate\(\s*(\d+)\s+([a-z]+)\s*\)$/.exec(expression.trim());
  if (!match) return undefined;
  const value = Number(match[1]);
  const unit = UNITS[match[2]!];
  if (!unit || value < 1 || (value === 1) !== /^(minute|hour|day)$/.test(match[2]!)) return undefined;
  return value * unit;
}

/** Reads the assembly's scheduled rules and Scheduler schedules; what cannot be run locally is reported to `warn` and skipped. */
export function loadSchedules(assembly: CloudAssembly, resolver: Resolver, warn: (message: string) => void): LocalSchedule[] {
  const schedules: LocalSchedule[] = [];
  const add = (key: string, expression: string, targets: Array<{ Arn?: unknown; Input?: unknown }>, ruleArn?: string) => {
    const periodMinutes = rateMinutes(expression);
    if (periodMinutes === undefined) {
      warn(`${key}: schedule ${expression} is not emulated (rate(...) expressions only)`);
      return;
    }
    const runnable = targets.flatMap((target) => {
      const arn = String(target.Arn);
      const service = arn.split(':')[2];
      if (service !== 'lambda' && service !== 'sqs') {
        warn(`${key}: target ${arn} is not a Lambda function or an SQS queue; not run locally`);
        return [];
      }
      return [{ arn, input: target.Input === undefined ? undefined : String(target.Input) }];
    });
    schedules.push({ key, expression, periodMinutes, ruleArn, targets: runnable });
  };
  for (const ref of assembly.resources('AWS::Events::Rule')) {
    const props = resolver.properties(ref) as { ScheduleExpression?: string; State?: string; Targets?: Array<{ Arn?: unknown; Input?: unknown }> };
    if (!props.ScheduleExpression || (props.State && props.State !== 'ENABLED')) continue;
    add(ref.key, props.ScheduleExpression, props.Targets ?? [], String(resolver.getAtt(ref, 'Arn')));
  }
  for (const ref of assembly.resources('AWS::Scheduler::Schedule')) {
    const props = resolver.properties(ref) as { ScheduleExpression?: string; State?: string; Target?: { Arn?: unknown; Input?: unknown } };
    if (!props.ScheduleExpression || (props.State && props.State !== 'ENABLED')) continue;
    add(ref.key, props.ScheduleExpression, props.Target ? [props.Target] : []);
  }
  return schedules;
}

interface RunningSchedule {
  readonly schedule: LocalSchedule;
  readonly signature: string;
  readonly timer: NodeJS.Timeout;
  run?: Promise<void>;
}

/** Runs the schedules of the applied assembly on timers (see the module comment). */
export class LocalScheduler {
  private readonly running = new Map<string, RunningSchedule>();
  private readonly secondsPerMinute: number;

  constructor(private readonly options: LocalSchedulerOptions) {
    this.secondsPerMinute = options.secondsPerMinute ?? 60;
    if (!(this.secondsPerMinute > 0)) throw new Error(`secondsPerMinute must be positive, got ${options.secondsPerMinute}`);
  }

  /** Applies a new set of schedules: unchanged ones keep their timers (and phase), changed and removed ones stop. */
  update(schedules: readonly LocalSchedule[]): void {
    const wanted = new Map(schedules.map((s) => [s.key, s]));
    for (const [key, entry] of this.running) {
      const next = wanted.get(key);
      if (!next || JSON.stringify(next) !== entry.signature) {
        clearInterval(entry.timer);
        this.running.delete(key);
      }
    }
    for (const schedule of schedules) {
      if (this.running.has(schedule.key)) continue;
      const periodMs = schedule.periodMinutes * this.secondsPerMinute * 1000;
      const entry: RunningSchedule = {
        schedule,
        signature: JSON.stringify(schedule),
        timer: setInterval(() => {
          if (entry.run) return; // the previous run is still going
          entry.run = this.fire(schedule).finally(() => {
            entry.run = undefined;
          });
        }, periodMs),
      };
      entry.timer.unref();
      this.running.set(schedule.key, entry);
    }
  }

  /** Schedules whose run is in progress. */
  get inFlight(): number {
    return [...this.running.values()].filter((entry) => entry.run).length;
  }

  /** Stops every timer and waits for runs in progress. */
  async stop(): Promise<void> {
    const runs = [...this.running.values()].map((entry) => {
      clearInterval(entry.timer);
      return entry.run;
    });
    this.running.clear();
    await Promise.all(runs);
  }

  private async fire(schedule: LocalSchedule): Promise<void> {
    await Promise.all(
      schedule.targets.map(async (target) => {
        try {
          const body = target.input ?? JSON.stringify(schedule.ruleArn ? scheduledEvent(schedule.ruleArn) : {});
          if (target.arn.split(':')[2] === 'sqs') await this.options.targets.sqs(target.arn, body);
          else await this.options.targets.lambda(target.arn, JSON.parse(body));
        } catch (error) {
          this.options.onError(`${schedule.key}: scheduled run of ${target.arn} failed: ${(error as Error).message}`);
        }
      }),
    );
  }
}

/** The event a scheduled rule sends its targets. */
function scheduledEvent(ruleArn: string) {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: LOCAL_ACCOUNT,
    time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: LOCAL_REGION,
    resources: [ruleArn],
    detail: {},
  };
}
