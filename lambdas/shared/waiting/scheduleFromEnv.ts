import {
  DEFAULT_WAITING_FIRST_DELAY_SECONDS,
  DEFAULT_WAITING_MAX_DELAY_SECONDS,
  WAITING_REDRIVE_HORIZON_DAYS,
} from '../messaging/constants.js';
import type { WaitingSchedule } from './types.js';

const seconds = (env: NodeJS.ProcessEnv, name: string, fallback: number): number => {
  const value = Number(env[name]);
  return env[name] !== undefined && Number.isFinite(value) && value >= 0 ? value : fallback;
};

/**
 * The waiting schedule from `WAITING_FIRST_DELAY_SECONDS`, `WAITING_MAX_DELAY_SECONDS` and
 * `WAITING_HORIZON_SECONDS` (set by the `WaitingQueue` construct), else the defaults
 * (5 min doubling, capped at 6 h, horizon 14 days).
 */
export function scheduleFromEnv(env: NodeJS.ProcessEnv = process.env): WaitingSchedule {
  return {
    firstDelaySeconds: seconds(env, 'WAITING_FIRST_DELAY_SECONDS', DEFAULT_WAITING_FIRST_DELAY_SECONDS),
    maxDelaySeconds: seconds(env, 'WAITING_MAX_DELAY_SECONDS', DEFAULT_WAITING_MAX_DELAY_SECONDS),
    horizonSeconds: seconds(env, 'WAITING_HORIZON_SECONDS', WAITING_REDRIVE_HORIZON_DAYS * 86_400),
  };
}
