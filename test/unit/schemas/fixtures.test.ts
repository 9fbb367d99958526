import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EventValidationError, UnknownEventError, validateEvent } from '../../../lambdas/shared/registry/index.js';
import { createAjv } from '../../../scripts/schema-gate/ajvFactory.js';
import { loadSchemas } from '../../../scripts/schema-gate/loadSchemas.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const { schemas } = loadSchemas(join(root, 'schemas'));
type Json = Record<string, unknown>;

function fixture(name: string, version: string): Json {
  return JSON.parse(readFileSync(join(root, 'test', 'fixtures', 'events', `${name}.v${version}.json`), 'utf8')) as Json;
}

function rejection(input: unknown): EventValidationError {
  try {
    validateEvent(input);
  } catch (error) {
    if (error instanceof EventValidationError) return error;
    throw error;
  }
  throw new Error('expected validateEvent to reject the event');
}

function payloadSchema(schema: Json): { properties: Record<string, Json>; required: string[] } {
  return (schema.properties as Record<string, Json>).payload as unknown as { properties: Record<string, Json>; required: string[] };
}

it('covers exactly the nine published event versions', () => {
  expect(schemas.map((s) => s.key)).toEqual([
    'ManagerUpdated/0',
    'ManagerUpdated/1',
    'NewCandidate/0',
    'TaskAssigned/0',
    'TaskCreated/0',
    'TaskCreated/1',
    'TaskSolved/0',
    'TaskUpdateRequested/0',
    'TaskUpdated/0',
  ]);
});

describe.each(schemas.map((s) => [s.key, s] as const))('%s', (_key, s) => {
  const valid = () => structuredClone(fixture(s.name, s.version));
  const payload = payloadSchema(s.schema);
  const firstRequired = payload.required[0]!;
  const uuidField = payload.required.find((f) => typeof payload.properties[f]?.pattern === 'string')!;

  it('has a canonical fixture that the generated validator accepts', () => {
    expect(existsSync(join(root, 'test', 'fixtures', 'events', `${s.name}.v${s.version}.json`))).toBe(true);
    const event = valid();
    expect(validateEvent(event)).toBe(event);
  });

  it('agrees with the source schema compiled at test time (generated code matches the schema)', () => {
    const validate = createAjv().compile(s.schema);
    expect(validate(valid())).toBe(true);
    const broken = valid();
    delete (broken.payload as Json)[firstRequired];
    expect(validate(broken)).toBe(false);
  });

  it('rejects a missing payload field', () => {
    const event = valid();
    delete (event.payload as Json)[firstRequired];
    const error = rejection(event);
    expect(error.field).toBe(`payload.${firstRequired}`);
    expect(error.reason).toBe('missing required field');
    expect(error.message).toBe(`${s.name} v${s.version}: missing required field payload.${firstRequired}`);
  });

  it('rejects a missing envelope field', () => {
    const event = valid();
    delete event.produced_at;
    expect(rejection(event).message).toBe(`${s.name} v${s.version}: missing required field produced_at`);
  });

  it('rejects an extra field in the payload and at the top', () => {
    const event = valid();
    (event.payload as Json).foo = 'bar';
    event.extra = 1;
    const error = rejection(event);
    expect(error.errors).toEqual(
      expect.arrayContaining([
        { field: 'payload.foo', reason: 'unexpected field' },
        { field: 'extra', reason: 'unexpected field' },
      ]),
    );
    expect(error.message).toContain('unexpected field payload.foo');
  });

  it('rejects a wrong type', () => {
    const event = valid();
    (event.payload as Json)[firstRequired] = 42;
    const error = rejection(event);
    expect(error.field).toBe(`payload.${firstRequired}`);
    expect(error.reason).toBe('must be of type string');
    event.payload = 'not an object';
    expect(rejection(event).errors).toContainEqual({ field: 'payload', reason: 'must be of type object' });
  });

  it('rejects a bad uuid (made-up ids such as uidf9g94ghiure)', () => {
    const event = valid();
    (event.payload as Json)[uuidField] = 'uidf9g94ghiure';
    const error = rejection(event);
    expect(error.message).toBe(`${s.name} v${s.version}: payload.${uuidField} must match the uuid format`);
    const upper = valid();
    upper.event_id = String(upper.event_id).toUpperCase();
    expect(rejection(upper).field).toBe('event_id');
  });

  it('rejects a bad date-time', () => {
    const event = valid();
    event.produced_at = '2025-02-13 17:11';
    const error = rejection(event);
    expect(error.field).toBe('produced_at');
    expect(error.reason).toBe('must match the date-time format');
  });

  it('rejects an empty string field', () => {
    const event = valid();
    const stringField = payload.required.find((f) => payload.properties[f]?.minLength === 1);
    if (stringField === undefined) {
      // events whose payload is ids and dates only: an empty id is not a uuid
      (event.payload as Json)[uuidField] = '';
      expect(rejection(event).field).toBe(`payload.${uuidField}`);
      return;
    }
    (event.payload as Json)[stringField] = '';
    expect(rejection(event).errors).toContainEqual({ field: `payload.${stringField}`, reason: 'must not be empty' });
  });

  it('rejects the wrong producer', () => {
    const event = valid();
    event.producer = 'bonus';
    const error = rejection(event);
    expect(error.field).toBe('producer');
    expect(error.reason).toMatch(/^must be one of "(hiring|tasks)"$/);
  });

  it('rejects the version-in-the-name form and an unknown version', () => {
    const nameForm = valid();
    nameForm.event_name = `${s.name}.v${s.version}`;
    delete nameForm.event_version;
    expect(rejection(nameForm).message).toContain(`use "event_name": "${s.name}" with "event_version": "${s.version}"`);
    const unknown = valid();
    unknown.event_version = '99';
    expect(() => validateEvent(unknown)).toThrow(UnknownEventError);
  });
});
