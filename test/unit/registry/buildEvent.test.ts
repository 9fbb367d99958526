import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  buildEvent,
  type EventOf,
  EventValidationError,
  UnknownEventError,
  validateEvent,
} from '../../../lambdas/shared/registry/index.js';
import { UUID_V4 } from './factories.js';

const TASK = '2b1f7c4e-8d3a-4f6b-9c2e-1a0d5e7f8b9c';
const MANAGER = '7e6d5c4b-3a29-4817-a6b5-c4d3e2f1a0b9';
const CANDIDATE = 'c0ffee00-1234-4abc-8def-0123456789ab';
const solved = { task_uid: TASK, task_manager_uid: MANAGER, candidate_uid: CANDIDATE, solved_at: '2025-02-13T17:10:02Z' };

describe('buildEvent', () => {
  it('fills event_id and produced_at and returns a valid event', () => {
    const before = Date.now();
    const event = buildEvent('TaskSolved', '0', solved, { producer: 'hiring' });
    expectTypeOf(event).toEqualTypeOf<EventOf<'TaskSolved', '0'>>();
    expect(event.event_id).toMatch(UUID_V4);
    expect(event.event_name).toBe('TaskSolved');
    expect(event.event_version).toBe('0');
    expect(event.producer).toBe('hiring');
    expect(Date.parse(event.produced_at)).toBeGreaterThanOrEqual(before - 1);
    expect(Date.parse(event.produced_at)).toBeLessThanOrEqual(Date.now());
    expect(event.payload).toEqual(solved);
    expect(event).not.toHaveProperty('correlation_id');
    expect(validateEvent(JSON.parse(JSON.stringify(event)))).toEqual(event);
  });

  it('uses a fresh id each time', () => {
    const a = buildEvent('TaskSolved', '0', solved, { producer: 'hiring' });
    const b = buildEvent('TaskSolved', '0', solved, { producer: 'hiring' });
    expect(a.event_id).not.toBe(b.event_id);
  });

  it('takes the given id, time, correlation and causation', () => {
    const event = buildEvent(
      'ManagerUpdated',
      '1',
      { manager_uid: MANAGER, login: 'ada', payout_account: 'DE89370400440532013000', version: 2 },
      {
        producer: 'tasks',
        eventId: '90a91f4b-8e34-4a3c-bfc8-f6649597445e',
        producedAt: new Date('2025-02-13T17:11:30Z'),
        correlationId: '5f0c6d1e-2b7a-4c3d-9e8f-0a1b2c3d4e5f',
        causationId: '0d8e7a52-61c4-4b0e-a1f2-3c4d5e6f7a8b',
      },
    );
    expect(event).toEqual({
      event_id: '90a91f4b-8e34-4a3c-bfc8-f6649597445e',
      event_name: 'ManagerUpdated',
      event_version: '1',
      produced_at: '2025-02-13T17:11:30.000Z',
      producer: 'tasks',
      correlation_id: '5f0c6d1e-2b7a-4c3d-9e8f-0a1b2c3d4e5f',
      causation_id: '0d8e7a52-61c4-4b0e-a1f2-3c4d5e6f7a8b',
      payload: { manager_uid: MANAGER, login: 'ada', payout_account: 'DE89370400440532013000', version: 2 },
    });
  });

  it('validates the payload and names the field', () => {
    let error: unknown;
    try {
      buildEvent('TaskSolved', '0', { ...solved, task_uid: 'uidf9g94ghiure' }, { producer: 'hiring' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EventValidationError);
    expect((error as EventValidationError).field).toBe('payload.task_uid');
    expect((error as EventValidationError).message).toBe('TaskSolved v0: payload.task_uid must match the uuid format');
  });

  it('rejects extra payload fields smuggled past the types', () => {
    const payload = { ...solved, foo: 1 } as typeof solved;
    expect(() => buildEvent('TaskSolved', '0', payload, { producer: 'hiring' })).toThrow(
      'TaskSolved v0: unexpected field payload.foo',
    );
  });

  it('rejects a producer that does not own the event', () => {
    expect(() => buildEvent('TaskSolved', '0', solved, { producer: 'bonus' })).toThrow(
      'TaskSolved v0: producer must be one of "hiring"',
    );
  });

  it('rejects malformed meta', () => {
    expect(() => buildEvent('TaskSolved', '0', solved, { producer: 'hiring', correlationId: 'abc' })).toThrow(
      'TaskSolved v0: correlation_id must match the uuid format',
    );
    expect(() => buildEvent('TaskSolved', '0', solved, { producer: 'hiring', producedAt: new Date('nope') })).toThrow(
      'TaskSolved v0: produced_at must be a valid Date',
    );
  });

  it('throws UnknownEventError for an unknown version', () => {
    expect(() => buildEvent('TaskSolved', '1' as '0', solved, { producer: 'hiring' })).toThrow(UnknownEventError);
    expect(() => buildEvent('TaskSolved', '1' as '0', solved, { producer: 'hiring' })).toThrow(
      'unknown event TaskSolved v1; known versions: 0',
    );
  });

  it('is typed per name and version', () => {
    // @ts-expect-error TaskCreated v1 has no task_title
    expect(() => buildEvent('TaskCreated', '1', { task_uid: TASK, task_title: '[A] B', manager_uid: MANAGER }, { producer: 'tasks' })).toThrow(
      EventValidationError,
    );
    // @ts-expect-error there is no TaskSolved v1
    expect(() => buildEvent('TaskSolved', '1', solved, { producer: 'hiring' })).toThrow(UnknownEventError);
  });
});
