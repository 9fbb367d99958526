import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  type AnyEvent,
  EventValidationError,
  UnknownEventError,
  validateEvent,
} from '../../../lambdas/shared/registry/index.js';
import { eventFixture } from './factories.js';

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('validateEvent', () => {
  it('returns the same, now typed, event', () => {
    const input: unknown = eventFixture('TaskSolved', '0');
    const event = validateEvent(input);
    expect(event).toBe(input);
    expectTypeOf(event).toEqualTypeOf<AnyEvent>();
    if (event.event_name === 'TaskSolved') {
      expectTypeOf(event.payload.task_manager_uid).toEqualTypeOf<string>();
    }
    if (event.event_name === 'ManagerUpdated' && event.event_version === '1') {
      expectTypeOf(event.payload).toHaveProperty('login');
      expectTypeOf(event.payload).not.toHaveProperty('name');
    }
  });

  it('rejects the version-in-the-name TaskSolved form (ids not uuids either) and names the canonical form', () => {
    // The shape early hand-written examples had: version inside event_name, made-up ids.
    const seed = {
      event_id: '90a91f4b-8e34-4a3c-bfc8-f6649597445e',
      event_name: 'TaskSolved.v0',
      produced_at: '2025-02-13T17:11:30Z',
      payload: { task_uid: 'uidf9g94ghiure', task_manager_uid: 'fihij8v4rei' },
    };
    const error = caught(() => validateEvent(seed));
    expect(error).toBeInstanceOf(EventValidationError);
    const e = error as EventValidationError;
    expect(e.field).toBe('event_name');
    expect(e.message).toBe(
      'invalid event: event_name must not carry the version ("TaskSolved.v0"): use "event_name": "TaskSolved" with "event_version": "0"',
    );
    expect(e.eventName).toBe('TaskSolved');
  });

  it('rejects the version-in-the-name NewCandidate form the same way', () => {
    const seed = { ...eventFixture('NewCandidate', '0'), event_name: 'NewCandidate.v0' };
    delete (seed as Record<string, unknown>).event_version;
    expect(() => validateEvent(seed)).toThrow('use "event_name": "NewCandidate" with "event_version": "0"');
  });

  it.each([
    [null, 'null'],
    ['{"event_name":"TaskSolved"}', 'string'],
    [[eventFixture('TaskSolved', '0')], 'array'],
    [42, 'number'],
    [undefined, 'undefined'],
  ])('rejects a non-object input (%#: %s)', (input, kind) => {
    const e = caught(() => validateEvent(input)) as EventValidationError;
    expect(e).toBeInstanceOf(EventValidationError);
    expect(e.field).toBe('event');
    expect(e.message).toBe(`invalid event: event must be a JSON object, got ${kind}`);
  });

  it('names a missing event_name', () => {
    const event = eventFixture('TaskSolved', '0');
    delete event.event_name;
    const e = caught(() => validateEvent(event)) as EventValidationError;
    expect(e).toBeInstanceOf(EventValidationError);
    expect(e.field).toBe('event_name');
    expect(e.message).toBe('invalid event: missing required field event_name');
  });

  it('names a missing or non-string event_version', () => {
    const missing = eventFixture('TaskSolved', '0');
    delete missing.event_version;
    const e1 = caught(() => validateEvent(missing)) as EventValidationError;
    expect(e1).toBeInstanceOf(EventValidationError);
    expect(e1.field).toBe('event_version');
    expect(e1.eventName).toBe('TaskSolved');
    expect(e1.reason).toBe('missing required field');

    const numeric = { ...eventFixture('TaskSolved', '0'), event_version: 0 };
    const e2 = caught(() => validateEvent(numeric)) as EventValidationError;
    expect(e2.field).toBe('event_version');
    expect(e2.message).toContain('use "event_version": "0"');
  });

  it('rejects a non-string event_name', () => {
    const e = caught(() => validateEvent({ ...eventFixture('TaskSolved', '0'), event_name: 7 })) as EventValidationError;
    expect(e).toBeInstanceOf(EventValidationError);
    expect(e.field).toBe('event_name');
  });

  it('throws UnknownEventError for an unknown version, listing the known ones', () => {
    const e = caught(() => validateEvent({ ...eventFixture('ManagerUpdated', '1'), event_version: '7' })) as UnknownEventError;
    expect(e).toBeInstanceOf(UnknownEventError);
    expect(e.message).toBe('unknown event ManagerUpdated v7; known versions: 0, 1');
    expect(e.eventName).toBe('ManagerUpdated');
    expect(e.eventVersion).toBe('7');
  });

  it('throws UnknownEventError for an unknown name, including prototype keys', () => {
    for (const name of ['TaskDeleted', 'constructor', '__proto__', 'toString']) {
      const e = caught(() => validateEvent({ ...eventFixture('TaskSolved', '0'), event_name: name }));
      expect(e).toBeInstanceOf(UnknownEventError);
      expect((e as Error).message).toMatch(new RegExp(`^unknown event ${name} v0; known events: ManagerUpdated, NewCandidate, `));
    }
    const e = caught(() => validateEvent({ ...eventFixture('TaskSolved', '0'), event_version: 'constructor' }));
    expect(e).toBeInstanceOf(UnknownEventError);
  });

  it('reports every problem, first one in field/reason', () => {
    const event = eventFixture('TaskSolved', '0');
    const payload = event.payload as Record<string, unknown>;
    payload.task_uid = 'nope';
    payload.foo = 1;
    delete payload.solved_at;
    const e = caught(() => validateEvent(event)) as EventValidationError;
    expect(e.errors).toHaveLength(3);
    expect(e.errors).toEqual(
      expect.arrayContaining([
        { field: 'payload.task_uid', reason: 'must match the uuid format' },
        { field: 'payload.foo', reason: 'unexpected field' },
        { field: 'payload.solved_at', reason: 'missing required field' },
      ]),
    );
    expect(e.field).toBe(e.errors[0]!.field);
    expect(e.reason).toBe(e.errors[0]!.reason);
    expect(e.message).toMatch(/^TaskSolved v0: /);
    expect(e.message).toContain('payload.task_uid must match the uuid format');
    expect(e.message).toContain('unexpected field payload.foo');
    expect(e.message).toContain('missing required field payload.solved_at');
  });

  it('checks the CUD version and string lengths', () => {
    const zero = eventFixture('ManagerUpdated', '0');
    (zero.payload as Record<string, unknown>).version = 0;
    expect(() => validateEvent(zero)).toThrow('ManagerUpdated v0: payload.version must be >= 1');
    const fraction = eventFixture('TaskUpdated', '0');
    (fraction.payload as Record<string, unknown>).version = 1.5;
    expect(() => validateEvent(fraction)).toThrow('TaskUpdated v0: payload.version must be of type integer');
    const long = eventFixture('TaskCreated', '1');
    (long.payload as Record<string, unknown>).title = 'x'.repeat(201);
    expect(() => validateEvent(long)).toThrow('TaskCreated v1: payload.title must be at most 200 characters long');
    // lengths count code points, not UTF-16 units: 200 emoji are 200 characters
    (long.payload as Record<string, unknown>).title = '🙂'.repeat(200);
    expect(validateEvent(long)).toBe(long);
  });

  it('accepts an optional field when absent and rejects it when malformed', () => {
    const noDescription = eventFixture('TaskUpdated', '0');
    delete (noDescription.payload as Record<string, unknown>).description;
    expect(validateEvent(noDescription)).toBe(noDescription);
    const noCorrelation = eventFixture('TaskSolved', '0');
    delete noCorrelation.correlation_id;
    expect(validateEvent(noCorrelation)).toBe(noCorrelation);
    const badCausation = { ...eventFixture('TaskSolved', '0'), causation_id: 'x' };
    expect(() => validateEvent(badCausation)).toThrow('TaskSolved v0: causation_id must match the uuid format');
  });

  it('rejects a date-time without a time zone', () => {
    const event = eventFixture('TaskAssigned', '0');
    (event.payload as Record<string, unknown>).assigned_at = '2025-02-12T09:00:00';
    expect(() => validateEvent(event)).toThrow('TaskAssigned v0: payload.assigned_at must match the date-time format');
  });
});
