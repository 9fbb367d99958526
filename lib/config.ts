import type { Node } from 'constructs';
import { CONSUMER_DEFAULTS, DEFERRED_CALLS_DEFAULTS, WAITING_DEFAULTS } from './constructs/defaults.js';

/** Bonus per rating point, in integer minor units, unless context `bonus.perRatingPoint` says otherwise. */
export const DEFAULT_PER_RATING_POINT = 100;

/**
 * Settings read from CDK context (`cdk.json`, or `-c key=value` on the command line). A key left
 * out takes the construct's own default (lib/constructs/defaults.ts), so a context key and the
 * construct it sets never disagree on the default.
 */
export interface HiringEventsConfig {
  /** Bonus per rating point, in integer minor units. Context `bonus.perRatingPoint`, default 100. */
  readonly perRatingPoint: number;
  /** First delay of a parked event; doubles each time. Context `parking.baseDelaySeconds`, default 30. */
  readonly parkingBaseDelaySeconds: number;
  /** Parks before the waiting queue. Context `parking.maxAttempts`, default 8. */
  readonly parkingMaxAttempts: number;
  /** Delay before a deferred sync call is retried from its pending row. Context `calls.deferDelaySeconds`, default 60. */
  readonly deferDelaySeconds: number;
  /**
   * Waiting queues (after the parking budget, or a deferred call's attempts): first wait (context
   * `waiting.firstDelaySeconds`, default 300), doubled each round up to `waiting.maxDelaySeconds`
   * (21600), redriven until `waiting.horizonSeconds` (14 days) after the first wait; the redriver
   * runs every `waiting.redriveEveryMinutes` (5).
   */
  readonly waiting: {
    readonly firstDelaySeconds: number;
    readonly maxDelaySeconds: number;
    readonly horizonSeconds: number;
    readonly redriveEveryMinutes: number;
  };
  /** Publish the event schemas to the EventBridge Schema Registry. Context `platform.schemaRegistry`, default true; false for LocalStack, which has no registry. */
  readonly schemaRegistry: boolean;
  /**
   * Let this deploy move a `migration.*` link forward by more than one step (the step guard refuses
   * it otherwise). Context `migration.allowJump`, default false: pass it on the command line for the
   * one deploy that jumps on purpose, never in cdk.json.
   */
  readonly migrationAllowJump: boolean;
  /**
   * Create the account's API Gateway CloudWatch Logs role (`AWS::ApiGateway::Account`) that the APIs'
   * access logs need. Account-wide and once per account and region: enable it on one stage only.
   * Context `apigateway.createAccountRole`, default false (README, "Deploy").
   */
  readonly createApiGatewayAccountRole: boolean;
}

function integer(node: Node, key: string, fallback: number, min: number, max: number): number {
  const raw: unknown = node.tryGetContext(key);
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`context ${key} must be an integer in ${min}..${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function flag(node: Node, key: string, fallback: boolean): boolean {
  const raw: unknown = node.tryGetContext(key);
  if (raw === undefined) return fallback;
  if (raw === true || raw === 'true') return true;
  if (raw === false || raw === 'false') return false;
  throw new Error(`context ${key} must be true or false, got ${JSON.stringify(raw)}`);
}

export function readConfig(node: Node): HiringEventsConfig {
  return {
    perRatingPoint: integer(node, 'bonus.perRatingPoint', DEFAULT_PER_RATING_POINT, 0, 1_000_000_000),
    parkingBaseDelaySeconds: integer(node, 'parking.baseDelaySeconds', CONSUMER_DEFAULTS.parkBaseDelay.toSeconds(), 0, 900),
    parkingMaxAttempts: integer(node, 'parking.maxAttempts', CONSUMER_DEFAULTS.parkMaxAttempts, 1, 100),
    deferDelaySeconds: integer(node, 'calls.deferDelaySeconds', DEFERRED_CALLS_DEFAULTS.delay.toSeconds(), 0, 900),
    schemaRegistry: flag(node, 'platform.schemaRegistry', true),
    migrationAllowJump: flag(node, 'migration.allowJump', false),
    createApiGatewayAccountRole: flag(node, 'apigateway.createAccountRole', false),
    waiting: {
      firstDelaySeconds: integer(node, 'waiting.firstDelaySeconds', WAITING_DEFAULTS.firstDelay.toSeconds(), 1, 43_200),
      maxDelaySeconds: integer(node, 'waiting.maxDelaySeconds', WAITING_DEFAULTS.maxDelay.toSeconds(), 1, 43_200),
      horizonSeconds: integer(node, 'waiting.horizonSeconds', WAITING_DEFAULTS.horizon.toSeconds(), 1, 1_209_600 * 4),
      redriveEveryMinutes: integer(node, 'waiting.redriveEveryMinutes', WAITING_DEFAULTS.redriveEvery.toMinutes(), 1, 1_440),
    },
  };
}
