import type { ServiceBaseUrls } from './types.js';

/** Target base URLs from `HIRING_API_URL`, `TASKS_API_URL`, `BONUS_API_URL` (set by the stack). */
export function baseUrlsFromEnv(env: NodeJS.ProcessEnv = process.env): ServiceBaseUrls {
  return {
    hiring: env.HIRING_API_URL,
    tasks: env.TASKS_API_URL,
    bonus: env.BONUS_API_URL,
  };
}
