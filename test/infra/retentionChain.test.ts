import { beforeAll, describe, expect, it } from 'vitest';
import { pendingCallPut } from '../../lambdas/shared/calls/pendingCallPut.js';
import {
  ARCHIVE_RETENTION_DAYS,
  CONSUMER_QUEUE_RETENTION_DAYS,
  DEAD_LETTER_RETENTION_DAYS,
  DEFERRED_CALLS_QUEUE_RETENTION_DAYS,
  EVENT_DELIVERY_MAX_AGE_DAYS,
  STREAM_MAX_RECORD_AGE_DAYS,
  WAITING_REDRIVE_HORIZON_DAYS,
} from '../../lambdas/shared/messaging/constants.js';
import { processedMarker } from '../../lambdas/shared/messaging/consumer/processedMarker.js';
import { outboxItem } from '../../lambdas/shared/messaging/outboxItem.js';
import { taskSolved } from '../unit/messaging/factories.js';
import { synthApp } from './appTemplates.js';
import type { LooseJsonObject as Json } from '../../local/looseJson.js';


const DAY = 24 * 3600;
const NOW = new Date('2026-12-01T00:00:00Z');
const days = (seconds: number) => seconds / DAY;
/** Days a row written now by `write` lives (its `expires_at`), as the code writes it. */
const ttlDays = (item: { expires_at?: unknown }) => days(Number(item.expires_at) - NOW.getTime() / 1000);

/** The queue roles of the stacks, by construct path. */
const ROLES = {
  consumerQueue: /\/\w+From\w+\/Queue\/Resource$/,
  consumerDeadLetterQueue: /\/\w+From\w+\/DeadLetterQueue\/Resource$/,
  outboxFailureQueue: /\/\w+Outbox\/FailureQueue\/Resource$/,
  outboxUnresolvedQueue: /\/\w+Outbox\/UnresolvedQueue\/Resource$/,
  callsQueue: /\/\w+Calls\/Queue\/Resource$/,
  callsDeadLetterQueue: /\/\w+Calls\/DeadLetterQueue\/Resource$/,
  callsSchedulerFailureQueue: /\/\w+Calls\/SchedulerFailureQueue\/Resource$/,
} as const;
type Role = keyof typeof ROLES;

/**
 * The retention chain (constants.ts): every row a recovery reads outlives the message pointing at
 * it, and processed markers outlive every redelivery. Retentions come from the synthesized templates,
 * TTLs from the functions that write the rows; a retention raised in a construct, or a TTL lowered in
 * the code, fails here.
 */
describe('the retention chain', () => {
  let resources: Json[];
  /** The longest `MessageRetentionPeriod` of the queues of `role`, in days. */
  let retention: (role: Role) => number;
  let streamRecordAge: (pathPart: string) => number;
  let eventDeliveryAge: number;
  let archiveRetention: number;

  beforeAll(() => {
    const app = synthApp();
    resources = [app.servicesTemplate(), app.platformTemplate()].flatMap((t) => Object.values(t.toJSON().Resources as Record<string, Json>));
    const pathOf = (r: Json) => String(r.Metadata?.['aws:cdk:path'] ?? '');
    retention = (role) => {
      const queues = resources.filter((r) => r.Type === 'AWS::SQS::Queue' && ROLES[role].test(pathOf(r)));
      expect(queues.length, `queues of role ${role}`).toBeGreaterThan(0);
      // SQS's default retention is 4 days when the property is absent.
      return Math.max(...queues.map((q) => days(Number(q.Properties?.MessageRetentionPeriod ?? 4 * DAY))));
    };
    streamRecordAge = (pathPart) => {
      const mappings = resources.filter((r) => r.Type === 'AWS::Lambda::EventSourceMapping' && pathOf(r).includes(pathPart) && r.Properties.StartingPosition);
      expect(mappings.length, `stream mappings of ${pathPart}`).toBeGreaterThan(0);
      // Absent = -1 = infinite on AWS: make that fail the chain loudly.
      return Math.max(...mappings.map((m) => (m.Properties.MaximumRecordAgeInSeconds === undefined ? Infinity : days(m.Properties.MaximumRecordAgeInSeconds))));
    };
    const consumerTargets = resources
      .filter((r) => r.Type === 'AWS::Events::Rule' && r.Properties.EventPattern)
      .flatMap((r) => r.Properties.Targets as Json[]);
    expect(consumerTargets.length).toBeGreaterThan(0);
    eventDeliveryAge = Math.max(...consumerTargets.map((t) => days(Number(t.RetryPolicy?.MaximumEventAgeInSeconds ?? DAY))));
    const archives = resources.filter((r) => r.Type === 'AWS::Events::Archive');
    expect(archives).toHaveLength(1);
    archiveRetention = Number(archives[0]!.Properties.RetentionDays);
  });

  it("deploys no retention longer than the chain's constants assume", () => {
    expect(retention('consumerQueue')).toBeLessThanOrEqual(CONSUMER_QUEUE_RETENTION_DAYS);
    expect(retention('callsQueue')).toBeLessThanOrEqual(DEFERRED_CALLS_QUEUE_RETENTION_DAYS);
    for (const role of ['consumerDeadLetterQueue', 'outboxFailureQueue', 'outboxUnresolvedQueue', 'callsDeadLetterQueue', 'callsSchedulerFailureQueue'] as const) {
      expect(retention(role), role).toBeLessThanOrEqual(DEAD_LETTER_RETENTION_DAYS);
    }
    expect(streamRecordAge('Outbox/Publisher')).toBeLessThanOrEqual(STREAM_MAX_RECORD_AGE_DAYS);
    expect(streamRecordAge('Calls/Scheduler')).toBeLessThanOrEqual(STREAM_MAX_RECORD_AGE_DAYS);
    expect(eventDeliveryAge).toBeLessThanOrEqual(EVENT_DELIVERY_MAX_AGE_DAYS);
    expect(archiveRetention).toBeLessThanOrEqual(ARCHIVE_RETENTION_DAYS);
  });

  it('keeps outbox rows longer than any failure message that points at them (failure queue, then unresolved queue)', () => {
    const outboxTtl = ttlDays(outboxItem(taskSolved(), NOW));
    const lastRead = streamRecordAge('Outbox/Publisher') + retention('outboxFailureQueue') + retention('outboxUnresolvedQueue');
    expect(outboxTtl).toBeGreaterThan(lastRead);
    expect(outboxTtl).toBe(30);
  });

  it('keeps pending-call rows longer than their messages plus the waiting queue redrive horizon', () => {
    const call = { call_id: 'c-1', target: 'bonus' as const, method: 'PUT' as const, path: '/internal/tasks/t/rating', body: {} };
    const pendingTtl = ttlDays(pendingCallPut('hiring', call, NOW).Put!.Item as { expires_at: number });
    // Queue -> waiting horizon -> DLQ (re-sent: fresh retention) -> one more pass after a redrive on its last day.
    const delivery = retention('callsQueue') + WAITING_REDRIVE_HORIZON_DAYS + retention('callsDeadLetterQueue') + retention('callsQueue');
    // Or: the scheduler gives up (stream record age), its failure queue waits for a person, who queues the rows again.
    const lastRead = streamRecordAge('Calls/Scheduler') + retention('callsSchedulerFailureQueue') + delivery;
    expect(pendingTtl).toBeGreaterThan(streamRecordAge('Calls/Scheduler') + delivery);
    expect(pendingTtl).toBeGreaterThanOrEqual(lastRead);
    expect(WAITING_REDRIVE_HORIZON_DAYS).toBe(14);
  });

  it('keeps processed markers longer than every redelivery path (archive replay, republish, queue, waiting, DLQ)', () => {
    const markerTtl = ttlDays(processedMarker('bonus', 'bonus', { event_id: 'e', event_name: 'TaskSolved', event_version: '0' }, NOW).Put!.Item as { expires_at: number });
    const outboxTtl = ttlDays(outboxItem(taskSolved(), NOW));
    // The latest a duplicate is put on the bus: republished while its outbox row lives, or replayed from the archive.
    const duplicateSource = Math.max(outboxTtl, streamRecordAge('Outbox/Publisher') + archiveRetention);
    // Then the longest trip to the consumer.
    const delivery = eventDeliveryAge + retention('consumerQueue') + WAITING_REDRIVE_HORIZON_DAYS + retention('consumerDeadLetterQueue') + retention('consumerQueue');
    expect(markerTtl).toBeGreaterThanOrEqual(duplicateSource + delivery);
    expect(markerTtl).toBe(68);
  });
});
