import { expect } from 'vitest';
import type { StepSummary } from './stepSummary.js';

/** Asserts that `item` is in `list` exactly when `present`. */
export function expectPresence(list: readonly string[], item: string, present: boolean, step: number): void {
  if (present) expect(list, `step ${step}: ${item} should exist`).toContain(item);
  else expect(list, `step ${step}: ${item} should be gone`).not.toContain(item);
}

/** The rules of `consumer` for `event`, e.g. `['v0,1']`. */
export function ruleVersions(summary: StepSummary, consumer: string, event: string): string[] {
  return summary.rules.filter((r) => r.startsWith(`${consumer}: ${event} `)).map((r) => r.slice(`${consumer}: ${event} `.length));
}

/** A function's environment variable (undefined when unset). */
export function envOf(summary: StepSummary, fn: string, name: string): unknown {
  expect(summary.env[fn], `function ${fn}`).toBeDefined();
  return summary.env[fn]![name];
}
