import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  EVENT_VERSIONS,
  type EventName,
  type EventPayload,
  type EventVersion,
  isKnownEvent,
} from '../../../lambdas/shared/registry/index.js';
import * as registry from '../../../lambdas/shared/registry/index.js';
import { loadSchemas } from '../../../scripts/schema-gate/loadSchemas.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

describe('EVENT_VERSIONS and isKnownEvent', () => {
  it('list exactly the schema files, oldest version first', () => {
    const { schemas } = loadSchemas(join(root, 'schemas'));
    const fromFiles: Record<string, string[]> = {};
    for (const s of schemas) fromFiles[s.name] = [...(fromFiles[s.name] ?? []), s.version];
    expect(EVENT_VERSIONS).toEqual(fromFiles);
    expect(EVENT_VERSIONS.ManagerUpdated).toEqual(['0', '1']);
    expect(Object.isFrozen(EVENT_VERSIONS)).toBe(true);
  });

  it('answers per name and version', () => {
    expect(isKnownEvent('ManagerUpdated', '1')).toBe(true);
    expect(isKnownEvent('ManagerUpdated', '2')).toBe(false);
    expect(isKnownEvent('TaskSolved.v0', '0')).toBe(false);
    expect(isKnownEvent('hasOwnProperty', '0')).toBe(false);
    expect(isKnownEvent('TaskSolved', 'toString')).toBe(false);
  });

  it('index exports exactly the public API', () => {
    expect(Object.keys(registry).sort()).toEqual([
      'EVENT_VERSIONS',
      'EventValidationError',
      'UnknownEventError',
      'buildEvent',
      'isKnownEvent',
      'validateEvent',
    ]);
  });

  it('types follow the schemas', () => {
    expectTypeOf<EventName>().toEqualTypeOf<
      'TaskSolved' | 'NewCandidate' | 'ManagerUpdated' | 'TaskUpdated' | 'TaskUpdateRequested' | 'TaskAssigned' | 'TaskCreated'
    >();
    expectTypeOf<EventVersion<'ManagerUpdated'>>().toEqualTypeOf<'0' | '1'>();
    expectTypeOf<EventVersion<'TaskSolved'>>().toEqualTypeOf<'0'>();
    expectTypeOf<EventPayload<'TaskCreated', '1'>>().toEqualTypeOf<{
      task_uid: string;
      knowledge_area: string;
      title: string;
      manager_uid: string;
    }>();
    expectTypeOf<EventPayload<'TaskUpdated', '0'>['description']>().toEqualTypeOf<string | undefined>();
  });
});
