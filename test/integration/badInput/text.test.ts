import { beforeAll, describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
});

import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createBonusApi } from '../../../lambdas/bonus/createBonusApi.js';
import { ROUTES as BONUS_ROUTES } from '../../../lambdas/bonus/routes.js';
import { createHiringApi } from '../../../lambdas/hiring/createHiringApi.js';
import { ROUTES as HIRING_ROUTES } from '../../../lambdas/hiring/routes.js';
import { readRequestSchema } from '../../../lambdas/shared/http/requests/readRequestSchema.js';
import type { ServiceName } from '../../../lambdas/shared/registry/index.js';
import { createTasksApi } from '../../../lambdas/tasks/createTasksApi.js';
import { ROUTES as TASKS_ROUTES } from '../../../lambdas/tasks/routes.js';
import { repoPath } from '../../../lib/constructs/paths.js';
import { localClients, uniqueName } from '../../support/aws.js';
import { apiEvent, parseAnswer, type ApiRequest } from '../support/apiEvent.js';
import { createServiceTable } from '../support/serviceTable.js';

/**
 * The shared text rules (`lambdas/shared/http/requests/text.json`) on every create/update route with a
 * free-text field, through the real handlers: what no service downstream can carry or show safely is
 * a 400 naming the field and the character; everything else a person writes passes the check.
 * The routes and their text fields are read from the route lists and schemas, so a new route is
 * covered, and must get a valid base body here to be.
 */
const TEXT_RULES = { line: 'text.json#/definitions/line', text: 'text.json#/definitions/text', optionalText: 'text.json#/definitions/optionalText' } as const;
type TextKind = keyof typeof TEXT_RULES;

const SERVICES: Record<ServiceName, ReadonlyArray<{ method: string; path: string; body?: string }>> = { tasks: TASKS_ROUTES, hiring: HIRING_ROUTES, bonus: BONUS_ROUTES };

/** Every route whose body has a text field, with the field's rule (from the raw schema, before inlining). */
function textRoutes(): Array<{ service: ServiceName; method: 'POST' | 'PUT'; path: string; fields: Record<string, TextKind> }> {
  return (Object.entries(SERVICES) as Array<[ServiceName, (typeof SERVICES)[ServiceName]]>).flatMap(([service, routes]) =>
    routes.flatMap((route) => {
      if (!route.body) return [];
      const raw = readRequestSchemaRaw(join(repoPath(`lambdas/${service}/requests`), route.body));
      const fields: Record<string, TextKind> = {};
      for (const [name, property] of Object.entries((raw.properties ?? {}) as Record<string, { allOf?: Array<{ $ref?: string }> }>)) {
        const ref = property.allOf?.find((p) => p.$ref?.startsWith('text.json#'))?.$ref;
        const kind = (Object.keys(TEXT_RULES) as TextKind[]).find((k) => TEXT_RULES[k] === ref);
        if (kind) fields[name] = kind;
      }
      return Object.keys(fields).length ? [{ service, method: route.method as 'POST' | 'PUT', path: route.path, fields }] : [];
    }),
  );
}

/** The schema file as written: the inlined form no longer says which rule a field uses. */
function readRequestSchemaRaw(file: string): { properties?: Record<string, unknown> } {
  return JSON.parse(readFileSync(file, 'utf8')) as { properties?: Record<string, unknown> };
}

const uuid = () => randomUUID();
/** A body each route's schema accepts, to vary one text field at a time. */
const BASE_BODIES: Record<string, () => Record<string, unknown>> = {
  'tasks POST /managers': () => ({ name: 'Ada', surname: 'Lovelace', login: `ada.${uuid().slice(0, 8)}`, payout_account: 'ACC-1' }),
  'tasks PUT /managers/{manager_uid}': () => ({ name: 'Ada', surname: 'Lovelace', payout_account: 'ACC-1' }),
  'tasks POST /tasks': () => ({ title: 'Reverse a list', knowledge_area: 'Algorithms', manager_uid: uuid(), description: 'Plain.' }),
  'tasks PUT /tasks/{task_uid}': () => ({ title: 'Reverse a list', knowledge_area: 'Algorithms', description: 'Plain.' }),
  'hiring POST /candidates': () => ({ name: 'Grace', surname: 'Hopper' }),
  'hiring POST /tasks/{task_uid}/update-requests': () => ({ reason: 'Typo in the statement' }),
  'hiring PUT /internal/tasks/{task_uid}': () => ({ task_uid: FIXED_TASK, title: 'Reverse a list', knowledge_area: 'Algorithms', manager_uid: uuid(), description: 'Plain.', version: 1 }),
};
const FIXED_TASK = '2b1f7c4e-8d3a-4f6b-9c2e-1a0d5e7f8b9c';
const pathParameters = (path: string): Record<string, string> =>
  Object.fromEntries([...path.matchAll(/\{(\w+)\}/g)].map(([, name]) => [name!, name === 'task_uid' && path.startsWith('/internal/') ? FIXED_TASK : uuid()]));

/** Refused in every kind of text field, with the character the message must name (undefined: "no visible character"). */
const REFUSED_EVERYWHERE: Array<[string, string, string]> = [
  ['NUL', 'a\u0000b', 'U+0000'],
  ['a bell (C0 control)', '\u0007ding', 'U+0007'],
  ['an ANSI colour escape', '\u001b[31mred\u001b[0m', 'U+001B'],
  ['DEL', 'a\u007f', 'U+007F'],
  ['C1 NEL', 'a\u0085b', 'U+0085'],
  ['C1 CSI', '\u009b31m', 'U+009B'],
  ['a lone high surrogate', 'a\ud83d', 'U+D83D'],
  ['a lone low surrogate', '\ude00b', 'U+DE00'],
  ['U+FFFE', 'a\ufffe', 'U+FFFE'],
  ['U+FFFF', 'a\uffff', 'U+FFFF'],
  ['the noncharacter U+FDD0', 'a\ufdd0', 'U+FDD0'],
  ['the right-to-left override U+202E', 'abc\u202edef', 'U+202E'],
  ['the left-to-right embedding U+202A', '\u202aabc', 'U+202A'],
  ['the isolate U+2066', '\u2066x\u2069', 'U+2066'],
];
const REFUSED_IN_A_LINE: Array<[string, string, string | undefined]> = [
  ['a newline', 'a\nb', 'U+000A'],
  ['a tab', 'a\tb', 'U+0009'],
  ['a carriage return', 'a\rb', 'U+000D'],
  ['the line separator U+2028', 'a\u2028b', 'U+2028'],
  ['only zero-width spaces', '\u200b\u200b\u200b', undefined],
  ['only spaces and invisible characters', ' \u00a0\u200d\ufeff\u3164\u2060', undefined],
];
const REFUSED_IN_TEXT: Array<[string, string, string | undefined]> = [
  ['only zero-width spaces', '\u200b\u200b', undefined],
  ['only blanks and newlines', ' \n\t\r\n', undefined],
];
/** What people write: passes every text field. */
const ACCEPTED: Array<[string, string]> = [
  ['an emoji', 'ACC-\u{1F600}'],
  ['a ZWJ family emoji', '\u{1F468}\u200D\u{1F469}\u200D\u{1F467}'],
  ['a flag', '\u{1F1FA}\u{1F1E6}'],
  ['accents', 'Zo\u00eb Ren\u00e9e'],
  ['a combining accent', 'Zoe\u0301'],
  ['CJK', '\u674e\u96f7'],
  ['Arabic', '\u0633\u0644\u0627\u0645'],
  ['Hebrew with a right-to-left mark', '\u05e9\u05dc\u05d5\u05dd\u200f'],
  ['punctuation', "O'Brien\u2013Smith (Jr.)"],
  ['U+FFFD itself', 'caf\ufffd'],
];

const { dynamodb, doc } = localClients();
const tables = { tasks: uniqueName('text-tasks'), hiring: uniqueName('text-hiring'), bonus: uniqueName('text-bonus') } satisfies Record<ServiceName, string>;
let apis: Record<ServiceName, ReturnType<typeof createBonusApi>>;

beforeAll(async () => {
  await Promise.all(Object.values(tables).map((name) => createServiceTable(dynamodb, name)));
  apis = {
    tasks: createTasksApi({ doc, tableName: tables.tasks }),
    hiring: createHiringApi({ doc, tableName: tables.hiring }),
    bonus: createBonusApi({ doc, tableName: tables.bonus }),
  };
});

const routes = textRoutes();
const send = async (service: ServiceName, request: ApiRequest) =>
  parseAnswer<{ error?: { code?: string; message?: string; field?: string } }>(await apis[service](apiEvent(request)));

describe('text fields refuse what no service can carry or show, and take what people write', () => {
  it('finds the create/update routes with text fields, each with a base body here', () => {
    expect(routes.map((r) => `${r.service} ${r.method} ${r.path}`).sort()).toEqual(Object.keys(BASE_BODIES).sort());
    expect(routes.flatMap((r) => Object.values(r.fields))).toEqual(expect.arrayContaining(['line', 'text', 'optionalText']));
  });

  for (const route of routes) {
    const key = `${route.service} ${route.method} ${route.path}`;
    describe(key, () => {
      for (const [field, kind] of Object.entries(route.fields)) {
        const refused = [...REFUSED_EVERYWHERE, ...(kind === 'line' ? REFUSED_IN_A_LINE : kind === 'text' ? REFUSED_IN_TEXT : [])];
        it.each(refused)(`${field} (${kind}) with %s: 400 naming body.${field} and the character`, async (_what, value, character) => {
          const answer = await send(route.service, { method: route.method, resource: route.path, pathParameters: pathParameters(route.path), body: { ...BASE_BODIES[key]!(), [field]: value } });
          expect(answer.status, JSON.stringify(answer.body)).toBe(400);
          expect(answer.body.error).toMatchObject({ code: 'validation_error', field: `body.${field}` });
          expect(answer.body.error?.message).toContain(field);
          expect(answer.body.error?.message).toContain(character ?? 'visible character');
        });
        const accepted = [...ACCEPTED, ...(kind === 'line' ? [] : ([['lines and tabs', 'First line\n\tsecond line\r\n']] as Array<[string, string]>)), ...(kind === 'optionalText' ? ([['nothing', '']] as Array<[string, string]>) : [])];
        it.each(accepted)(`${field} (${kind}) with %s passes the check`, async (_what, value) => {
          const answer = await send(route.service, { method: route.method, resource: route.path, pathParameters: pathParameters(route.path), body: { ...BASE_BODIES[key]!(), [field]: value } });
          // Past validation: created, or refused later for another reason (an unknown task or manager), never for the text.
          expect(answer.status === 400 ? answer.body.error : 'passed').toBe('passed');
          expect(answer.status).toBeLessThan(500);
        });
      }
    });
  }

  it('stores an accepted value exactly as sent (a candidate and a manager named with emoji)', async () => {
    const candidate = await send('hiring', { method: 'POST', resource: '/candidates', body: { name: 'Gr\u00e2ce \u{1F469}\u200D\u{1F4BB}', surname: '\u674e \u{1F600}' } });
    expect(candidate.status).toBe(201);
    const read = await send('hiring', { method: 'GET', resource: '/candidates/{candidate_uid}', pathParameters: { candidate_uid: (candidate.body as { candidate_uid: string }).candidate_uid } });
    expect(read.body).toMatchObject({ name: 'Gr\u00e2ce \u{1F469}\u200D\u{1F4BB}', surname: '\u674e \u{1F600}' });

    const manager = await send('tasks', { method: 'POST', resource: '/managers', body: { ...BASE_BODIES['tasks POST /managers']!(), payout_account: 'ACC-\u{1F600}' } });
    expect(manager.status).toBe(201);
    const stored = await send('tasks', { method: 'GET', resource: '/managers/{manager_uid}', pathParameters: { manager_uid: (manager.body as { manager_uid: string }).manager_uid } });
    expect(stored.body).toMatchObject({ payout_account: 'ACC-\u{1F600}' });
  });

  it('a base64 body that is not UTF-8 is a 400 naming the body, not a silent U+FFFD', async () => {
    const bytes = Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xc3, 0x28]), Buffer.from('","surname":"Hopper"}')]);
    const event = { ...apiEvent({ method: 'POST', resource: '/candidates' }), body: bytes.toString('base64'), isBase64Encoded: true };
    const answer = parseAnswer<{ error?: { code?: string; message?: string; field?: string } }>(await apis.hiring(event));
    expect(answer.status).toBe(400);
    expect(answer.body.error).toEqual({ code: 'invalid_json', message: 'request body is not valid UTF-8', field: 'body' });
  });

  it('inlines the shared rule for the API Gateway model of each route', () => {
    for (const route of routes) {
      const schema = readRequestSchema(join(repoPath(`lambdas/${route.service}/requests`), SERVICES[route.service].find((r) => r.path === route.path && r.method === route.method)!.body!));
      for (const field of Object.keys(route.fields)) {
        const property = (schema.properties as Record<string, Record<string, unknown>>)[field]!;
        expect(property.allOf, `${route.path} ${field}`).toBeUndefined();
        expect(property.pattern, `${route.path} ${field}`).toEqual(expect.stringContaining('\\uFFFE\\uFFFF'));
      }
    }
  });
});
