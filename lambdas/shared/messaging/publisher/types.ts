import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { Logger } from '@aws-lambda-powertools/logger';

export interface PublisherDeps {
  eventBridge: EventBridgeClient;
  eventBusName: string;
  logger?: Logger;
}

/** A stream record whose event did not reach the bus in this invocation. */
export interface FailedRecord {
  sequenceNumber: string;
  eventId: string;
  errorCode: string;
  errorMessage?: string;
}

/** A stream record that can never be published (skipped with an error log, not retried). */
export interface SkippedRecord {
  sequenceNumber?: string;
  reason: 'not-an-outbox-insert' | 'malformed' | 'too-large';
  detail?: string;
}

export interface PublishResult {
  /** Event ids accepted by EventBridge, in stream order. */
  published: string[];
  /** Records EventBridge refused or that a failed call carried, in stream order. */
  failed: FailedRecord[];
  /** Records not sent because an earlier chunk failed: the retry from the checkpoint covers them. */
  notAttempted: string[];
  skipped: SkippedRecord[];
  /** At most one entry: the FIRST failed record in stream order, so the checkpoint holds there. */
  batchItemFailures: { itemIdentifier: string }[];
}
