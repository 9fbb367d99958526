/**
 * The HTTP kit of the services: an API Gateway REST proxy handler on middy and `@middy/http-router`
 * with ahead-of-time body validation and `Idempotency-Key` support, the route table helpers, and a
 * SigV4-signed client for internal calls.
 */
export { createHttpApi, honoursIdempotencyKey } from './createHttpApi.js';
export { bindRoutes, validatorFor, type RouteDeclaration, type RouteHandlers, type RouteKey, type Validators } from './routeTable.js';
export { correlationIdOf, recordItems, requireUuidV4 } from './requestHelpers.js';
export { withIdempotencyKey, type IdempotentRequest } from './withIdempotencyKey.js';
export { callService } from './callService.js';
export { formatValidationError } from './formatValidationError.js';
export { backoffDelay } from './backoffDelay.js';
export {
  HttpError,
  NotFoundError,
  ConflictError,
  ValidationError,
  ServiceUnavailableError,
  ServiceCallRejectedError,
} from './errors.js';
export { DEFAULT_MAX_BODY_BYTES, IDEMPOTENCY_KEY_HEADER, IDEMPOTENCY_TTL_SECONDS, IDEMPOTENT_REPLAY_HEADER } from './constants.js';
export type * from './types.js';
