import { readFileSync } from 'node:fs';
import SwaggerParser from '@apidevtools/swagger-parser';
import { Parser, type AsyncAPIDocumentInterface } from '@asyncapi/parser';
import Ajv from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROUTES as BONUS_ROUTES } from '../../lambdas/bonus/routes.js';
import { ROUTES as HIRING_ROUTES } from '../../lambdas/hiring/routes.js';
import { createHttpApi, honoursIdempotencyKey } from '../../lambdas/shared/http/index.js';
import { consumedEvents, hiringRoutes, liveSchemas, producedEvents, tasksLegacyRoutes } from '../../lambdas/shared/migrations/plan.js';
import { FINAL_STEPS } from '../../lambdas/shared/migrations/steps.js';
import { validateEvent } from '../../lambdas/shared/registry/index.js';
import { ROUTES as TASKS_ROUTES } from '../../lambdas/tasks/routes.js';
import { apiEvent, silentLogger, TASK_UID } from '../unit/http/helpers/factories.js';
import { readRequestSchema } from '../../lambdas/shared/http/requests/readRequestSchema.js';
import type { LooseJsonObject as Json } from '../../local/looseJson.js';

/**
 * The committed catalog documents (`npm test` checks they are what `npm run docs` writes), read by
 * the ecosystem's own parsers, and held against what the migration plan and the route declarations
 * say the final step is: no event or route may be missing, none invented.
 */

const asyncapiText = readFileSync('docs/asyncapi.yaml', 'utf8');
const asyncapi = parse(asyncapiText) as Json;
const openapi = parse(readFileSync('docs/openapi.yaml', 'utf8')) as Json;

/** Event versions live at the final steps according to the plan: registered, published or consumed. */
function finalLiveEvents(): string[] {
  const keys = new Set<string>();
  const add = (events: ReadonlyArray<{ name: string; versions: readonly string[] }>) => {
    for (const e of events) for (const v of e.versions) keys.add(`${e.name}.v${v}`);
  };
  add(liveSchemas(FINAL_STEPS));
  Object.values(producedEvents(FINAL_STEPS)).forEach(add);
  Object.values(consumedEvents(FINAL_STEPS)).forEach(add);
  return [...keys].sort();
}

describe('docs/asyncapi.yaml', () => {
  let document: AsyncAPIDocumentInterface;

  beforeAll(async () => {
    const { document: parsed, diagnostics } = await new Parser().parse(asyncapiText);
    // Severity 0 = error, 1 = warning; 2 (information) only recommends AsyncAPI 3.1, and the issue asks for 3.0.
    expect(diagnostics.filter((d) => d.severity <= 1).map((d) => `${d.code} ${d.message} at ${d.path.join('.')}`)).toEqual([]);
    expect(parsed).toBeDefined();
    document = parsed!;
  }, 120_000);

  it('is AsyncAPI 3.0 with one channel per event version live at the final steps', () => {
    expect(document.version()).toBe('3.0.0');
    expect(document.channels().all().map((c) => c.id()).sort()).toEqual(finalLiveEvents());
  });

  it('has each channel\'s producer and every consumer of the plan, and the schema and a valid example of each message', () => {
    const operations = document.operations().all();
    const ops = (action: string, key: string) => operations.filter((o) => o.action() === action && o.channels().all().some((c) => c.id() === key));
    for (const [service, events] of Object.entries(producedEvents(FINAL_STEPS))) {
      for (const { name, versions } of events) {
        for (const v of versions) expect(ops('send', `${name}.v${v}`).map((o) => o.json()['x-producer'].service), `${name}.v${v}`).toEqual([service]);
      }
    }
    for (const [queue, events] of Object.entries(consumedEvents(FINAL_STEPS))) {
      const consumer = /^(\w+?)From/.exec(queue)![1]!;
      for (const { name, versions } of events) {
        for (const v of versions) {
          const receive = ops('receive', `${name}.v${v}`).filter((o) => o.json()['x-consumer'].service === consumer);
          expect(receive, `${consumer} receives ${name}.v${v}`).toHaveLength(1);
          const binding = receive[0]!.bindings().get('sqs')!.value() as Json;
          expect(binding.queues[0].redrivePolicy.deadLetterQueue.name, 'the queue names its DLQ').toBe(binding.queues[1].name);
        }
      }
    }
    for (const channel of document.channels().all()) {
      const [message, ...others] = channel.messages().all();
      expect(others).toEqual([]);
      const [name, version] = channel.id().split('.v');
      const file = JSON.parse(readFileSync(`schemas/${name}/${version}.json`, 'utf8')) as Json;
      const raw = asyncapi.channels[channel.id()].messages[channel.id()] as Json;
      expect(raw.payload, channel.id()).toEqual({ $ref: `#/components/schemas/${channel.id()}` });
      expect(asyncapi.components.schemas[channel.id()], `${channel.id()}: the schema file itself`).toEqual({ schemaFormat: 'application/schema+json;version=draft-07', schema: file });
      const examples = message!.examples().all();
      expect(examples.length).toBeGreaterThan(0);
      for (const example of examples) expect(() => validateEvent(example.payload())).not.toThrow();
    }
  });
});

describe('docs/openapi.yaml', () => {
  it('is valid OpenAPI 3.1 by swagger-parser', async () => {
    const api = (await SwaggerParser.validate('docs/openapi.yaml')) as Json;
    expect(api.openapi).toBe('3.1.0');
  }, 60_000);

  const declared = [
    ...hiringRoutes(HIRING_ROUTES, FINAL_STEPS).map((r) => ({ service: 'hiring', ...r })),
    ...[...TASKS_ROUTES, ...tasksLegacyRoutes(FINAL_STEPS)].map((r) => ({ service: 'tasks', ...r })),
    ...BONUS_ROUTES.map((r) => ({ service: 'bonus', ...r })),
  ] as Array<{ service: string; method: string; path: string; body?: string; idempotent?: boolean }>;
  const operations = Object.entries(openapi.paths as Record<string, Json>).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([key]) => ['get', 'put', 'post', 'delete', 'patch'].includes(key))
      .map(([method, op]) => ({ path, method: method.toUpperCase(), op: op as Json, server: item.servers[0].description as string })),
  );

  it('holds every route of the final step, each under its own API, and nothing else', () => {
    expect(operations.map((o) => `${o.op.tags[0]} ${o.method} ${o.path}`).sort()).toEqual(declared.map((r) => `${r.service} ${r.method} ${r.path}`).sort());
    for (const o of operations) expect(o.server, `${o.method} ${o.path}`).toMatch(new RegExp(`^${o.op.tags[0]}: REST API `));
  });

  it('marks IAM (SigV4), the Idempotency-Key header where the route honours it, internal routes and the request schemas', () => {
    expect(openapi.components.securitySchemes.sigv4).toMatchObject({ type: 'apiKey', in: 'header', name: 'Authorization', 'x-amazon-apigateway-authtype': 'awsSigv4' });
    for (const route of declared) {
      const { op } = operations.find((o) => o.method === route.method && o.path === route.path)!;
      const name = `${route.service} ${route.method} ${route.path}`;
      expect(op.security, name).toEqual([{ sigv4: [] }]);
      const headers = (op.parameters ?? []).filter((p: Json) => p.in === 'header').map((p: Json) => p.name);
      expect(headers, name).toEqual(honoursIdempotencyKey(route) ? ['Idempotency-Key'] : []);
      const internal = route.path.startsWith('/internal/');
      expect([op['x-internal'] === true, op.tags.includes('internal')], name).toEqual([internal, internal]);
      if (internal) expect(op['x-callers'].length, `${name}: who may call it`).toBeGreaterThan(0);
      if (route.body) {
        const ref = op.requestBody.content['application/json'].schema.$ref as string;
        // As API Gateway's models read it: the shared text rules inlined.
        const { $schema: _draft, ...file } = readRequestSchema(`lambdas/${route.service}/requests/${route.body}`) as Json;
        expect(openapi.components.schemas[ref.replace('#/components/schemas/', '')], name).toEqual({ ...file, 'x-schema-file': `lambdas/${route.service}/requests/${route.body}` });
      } else expect(op.requestBody, name).toBeUndefined();
    }
    // hiring's rating PUT honours the key although it is no POST: the declaration, not the method, decides.
    expect(operations.find((o) => o.method === 'PUT' && o.path === '/tasks/{task_uid}/rating')!.op.parameters.map((p: Json) => p.name)).toContain('Idempotency-Key');
  });

  it('describes the error body the router really answers with', async () => {
    const validate = new Ajv({ strict: false }).compile(openapi.components.schemas.Error);
    const bodySchema = Object.assign((body: unknown) => typeof body === 'object' && body !== null && 'rating' in body, { errors: [{ instancePath: '/rating', keyword: 'required', message: 'is required', params: {}, schemaPath: '#' }] });
    const handler = createHttpApi({
      logger: silentLogger(),
      routes: [
        { method: 'PUT', path: '/tasks/{task_uid}/rating', bodySchema, handler: () => ({ status: 200, body: {} }) },
        { method: 'GET', path: '/boom', handler: () => { throw new Error('boom'); } },
      ],
    });
    const answers = await Promise.all([
      handler(apiEvent({ method: 'PUT', path: `/tasks/${TASK_UID}/rating`, body: { nope: 1 } })), // 400 validation_error with field
      handler(apiEvent({ method: 'PUT', path: '/tasks/not-a-uuid/rating', body: { rating: 1 } })), // 400 invalid_parameter
      handler(apiEvent({ method: 'PUT', path: `/tasks/${TASK_UID}/rating`, rawBody: '{' })), // 400 invalid_json
      handler(apiEvent({ method: 'GET', path: '/nowhere' })), // 404 route_not_found
      handler(apiEvent({ method: 'GET', path: '/boom' })), // 500 internal_error
    ]);
    expect(answers.map((a) => a.statusCode)).toEqual([400, 400, 400, 404, 500]);
    for (const answer of answers) expect(validate(JSON.parse(answer.body)), answer.body).toBe(true);
    expect(validate({ error: { code: 'x', message: 'y', extra: true } }), 'control: the schema is strict').toBe(false);
  });
});
