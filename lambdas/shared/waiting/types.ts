/** When a waiting message is due again and when it is given up on. */
export interface WaitingSchedule {
  /** Wait of the first round; doubles each round. */
  readonly firstDelaySeconds: number;
  /** Cap of one round's wait (at most SQS's 12-hour visibility ceiling). */
  readonly maxDelaySeconds: number;
  /** From `waiting-since`: after this the message goes to the DLQ instead of back to its queue. */
  readonly horizonSeconds: number;
}

/** What a waiting message carries about its wait (attributes `waiting-since`, `waiting-round`). */
export interface WaitingState {
  /** When it first entered the waiting queue (the horizon counts from here). */
  readonly since: Date;
  /** 1 on its first stay in the waiting queue, +1 each time it comes back. */
  readonly round: number;
}

/** What the redriver does with one waiting message. */
export type WaitingDecision =
  | { readonly action: 'redrive' }
  | { readonly action: 'expire' }
  /** Not due: hidden (visibility timeout) for `seconds`, then looked at again. */
  | { readonly action: 'hold'; readonly seconds: number };

/** Reads one String message attribute, whatever the message's shape (Lambda record or SDK message). */
export type AttributeReader = (name: string) => string | undefined;
