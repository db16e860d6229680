import { errorKind } from './converse-error.js';

// Amazon Bedrock's exceptions, by the names Bedrock gives them. Status codes and retryability follow
// the service model (see docs/errors.md). These names collide with the AWS SDK's own exception
// classes on purpose; import the SDK's under an alias if you need both.

/** 400: the request is invalid (also raised before any call for input we can check locally). */
export class ValidationException extends errorKind('ValidationException', 400, false) {}
/** 403: the credentials may not call this model. */
export class AccessDeniedException extends errorKind('AccessDeniedException', 403, false) {}
/** 404: the model (or another resource) does not exist. */
export class ResourceNotFoundException extends errorKind('ResourceNotFoundException', 404, false) {}
/** 408: the model took too long. */
export class ModelTimeoutException extends errorKind('ModelTimeoutException', 408, true) {}
/** 424: the model failed on this input; the same input fails again. */
export class ModelErrorException extends errorKind('ModelErrorException', 424, false) {}
/** 424 inside a stream: retryable only while nothing was delivered to the caller. */
export class ModelStreamErrorException extends errorKind('ModelStreamErrorException', 424, true) {}
/** 429: over the account's requests or tokens per minute. */
export class ThrottlingException extends errorKind('ThrottlingException', 429, true) {}
/** 429: the model is not ready to serve yet. */
export class ModelNotReadyException extends errorKind('ModelNotReadyException', 429, true) {}
/** 400: a service quota is exceeded (not fixed by waiting). */
export class ServiceQuotaExceededException extends errorKind(
  'ServiceQuotaExceededException',
  400,
  false,
) {}
/** 500: the service failed. */
export class InternalServerException extends errorKind('InternalServerException', 500, true) {}
/** 503: the service is unavailable for now. */
export class ServiceUnavailableException extends errorKind(
  'ServiceUnavailableException',
  503,
  true,
) {}

export const bedrockExceptions = {
  ValidationException,
  AccessDeniedException,
  ResourceNotFoundException,
  ModelTimeoutException,
  ModelErrorException,
  ModelStreamErrorException,
  ThrottlingException,
  ModelNotReadyException,
  ServiceQuotaExceededException,
  InternalServerException,
  ServiceUnavailableException,
} as const;

export type BedrockExceptionName = keyof typeof bedrockExceptions;

export function isBedrockExceptionName(name: string): name is BedrockExceptionName {
  return Object.hasOwn(bedrockExceptions, name);
}
