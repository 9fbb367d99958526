/**
 * An environment variable the construct always sets; a missing one is a deployment bug, so it
 * fails loudly instead of defaulting.
 *
 * @example
 * ```ts
 * const busName = requiredEnv('EVENT_BUS_NAME');
 * ```
 */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}
