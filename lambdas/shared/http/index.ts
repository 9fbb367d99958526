/**
 * The HTTP kit of the services: a router for API Gateway REST proxy events with ahead-of-time
 * body validation and `Idempotency-Key` support, and a SigV4-signed client for internal calls.
 */
export { createHttpApi, honoursIdempotencyKey } from './createHttpApi.js';
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
