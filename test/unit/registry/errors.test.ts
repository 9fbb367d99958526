import { describe, expect, it } from 'vitest';
import { EventValidationError, UnknownEventError } from '../../../lambdas/shared/registry/index.js';

describe('errors', () => {
  it('EventValidationError puts the field first or last depending on the reason', () => {
    const e = new EventValidationError('TaskSolved', '0', [
      { field: 'payload.task_uid', reason: 'missing required field' },
      { field: 'payload.foo', reason: 'unexpected field' },
      { field: 'produced_at', reason: 'must match the date-time format' },
    ]);
    expect(e.message).toBe(
      'TaskSolved v0: missing required field payload.task_uid; unexpected field payload.foo; produced_at must match the date-time format',
    );
    expect(e.name).toBe('EventValidationError');
    expect(e).toBeInstanceOf(Error);
    expect(e.field).toBe('payload.task_uid');
    expect(e.errors).toHaveLength(3);
  });

  it('UnknownEventError lists known versions or, for an unknown name, known events', () => {
    expect(new UnknownEventError('ManagerUpdated', '7', ['0', '1'], ['ManagerUpdated']).message).toBe(
      'unknown event ManagerUpdated v7; known versions: 0, 1',
    );
    const e = new UnknownEventError('Nope', '0', [], ['A', 'B']);
    expect(e.message).toBe('unknown event Nope v0; known events: A, B');
    expect(e.name).toBe('UnknownEventError');
  });
});
