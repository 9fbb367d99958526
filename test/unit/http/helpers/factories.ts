import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { Logger } from '@aws-lambda-powertools/logger';
import type { LooseJson } from '../../../../local/looseJson.js';

/** A valid uuid v4 for path parameters. */
export const TASK_UID = '0b6c2f3e-8a1d-4c5e-9f7a-1b2c3d4e5f60';
export const CANDIDATE_UID = '5a0e7c1b-2d3f-4a5b-8c6d-7e8f9a0b1c2d';

/**
 * An API Gateway REST proxy (v1) event. `resource` defaults to `path` with no params: pass the
 * template plus `pathParameters` to mimic what API Gateway sends for a declared resource.
 */
export function apiEvent(input: {
  method: string;
  path: string;
  resource?: string;
  pathParameters?: Record<string, string>;
  body?: unknown;
  rawBody?: string | null;
  headers?: Record<string, string>;
  isBase64Encoded?: boolean;
  requestId?: string;
}): APIGatewayProxyEvent {
  const body =
    input.rawBody !== undefined ? input.rawBody : input.body === undefined ? null : JSON.stringify(input.body);
  const headers = input.headers ?? (body === null ? {} : { 'Content-Type': 'application/json' });
  return {
    httpMethod: input.method,
    path: input.path,
    resource: input.resource ?? input.path,
    pathParameters: input.pathParameters ?? null,
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    headers,
    multiValueHeaders: {},
    body,
    isBase64Encoded: input.isBase64Encoded ?? false,
    stageVariables: null,
    requestContext: { requestId: input.requestId ?? 'req-1' } as APIGatewayProxyEvent['requestContext'],
  };
}

/** The parsed JSON body of a result. */
export function bodyOf(result: APIGatewayProxyResult): LooseJson {
  return result.body === '' ? undefined : JSON.parse(result.body);
}

/** A logger that prints nothing (tests spy on it). */
export function silentLogger(): Logger {
  return new Logger({ serviceName: 'test', logLevel: 'SILENT' });
}
