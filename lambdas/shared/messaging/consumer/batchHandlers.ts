import type { EventName, EventOf, EventVersion } from '../../registry/index.js';
import type {
  AnyEventHandler,
  BatchEffect,
  BatchEventHandler,
  ConsumerContext,
  Decision,
  EventHandler,
  Poison,
  PrerequisiteMissing,
} from './types.js';

/** True for a {@link BatchEventHandler} (an object with `reads`/`decide`), false for a per-record function. */
export function isBatchHandler<N extends EventName, V extends EventVersion<N>>(handler: AnyEventHandler<N, V>): handler is BatchEventHandler<N, V> {
  return typeof handler === 'object' && handler !== null && typeof handler.decide === 'function';
}

/**
 * `decide`'s answer when something the event needs has not arrived yet: the record is parked.
 *
 * @example
 * ```ts
 * if (!manager) return prerequisiteMissing(`manager ${uid} unknown`);
 * ```
 */
export const prerequisiteMissing = (reason: string): PrerequisiteMissing => ({ prerequisiteMissing: reason });

/**
 * `decide`'s answer when the event can never apply: the record goes to the DLQ with the reason.
 *
 * @example
 * ```ts
 * if (payload.amount < 0) return poison('negative amount');
 * ```
 */
export const poison = (reason: string): Poison => ({ poison: reason });

export const isPrerequisiteMissing = (decision: Decision): decision is PrerequisiteMissing => 'prerequisiteMissing' in decision;
export const isPoison = (decision: Decision): decision is Poison => 'poison' in decision;
export const isEffect = (decision: Decision): decision is BatchEffect => !isPrerequisiteMissing(decision) && !isPoison(decision);

/**
 * `handler` with `step` run first, per record, for either kind of handler: a per-record function
 * awaits it before handling; a batch handler runs it as (part of) its `prepare`, before the
 * batch read, so what `step` stores is what `reads` finds.
 *
 * @example
 * ```ts
 * handlers.TaskSolved = { '0': beforeHandling(final.TaskSolved['0'], storeManagerFromHttp) };
 * ```
 */
export function beforeHandling<N extends EventName, V extends EventVersion<N>>(
  handler: AnyEventHandler<N, V>,
  step: (event: EventOf<N, V>, ctx: ConsumerContext) => Promise<void>,
): AnyEventHandler<N, V> {
  if (isBatchHandler(handler)) {
    return {
      ...handler,
      prepare: async (event, ctx) => {
        await handler.prepare?.(event, ctx);
        await step(event, ctx);
      },
    };
  }
  const perRecord: EventHandler<N, V> = async (event, ctx) => {
    await step(event, ctx);
    return handler(event, ctx);
  };
  return perRecord;
}
