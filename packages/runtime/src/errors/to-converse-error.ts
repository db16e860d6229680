import {
  AccessDeniedException,
  bedrockExceptions,
  InternalServerException,
  isBedrockExceptionName,
  ModelErrorException,
  ModelTimeoutException,
  ResourceNotFoundException,
  ServiceUnavailableException,
  ThrottlingException,
  ValidationException,
} from './bedrock-exceptions.js';
import { ConverseError, type ErrorMetadata } from './converse-error.js';
import { AbortError, ConnectionError } from './project-errors.js';

const networkCodes = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ERR_HTTP2_STREAM_ERROR',
  'ERR_HTTP2_SESSION_ERROR',
  'ERR_HTTP2_ERROR',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

const byStatus: Record<number, new (message: string, options?: object) => ConverseError> = {
  400: ValidationException,
  403: AccessDeniedException,
  404: ResourceNotFoundException,
  408: ModelTimeoutException,
  424: ModelErrorException,
  429: ThrottlingException,
  500: InternalServerException,
  502: ServiceUnavailableException,
  503: ServiceUnavailableException,
  504: ServiceUnavailableException,
};

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  $metadata?: ErrorMetadata;
  cause?: unknown;
}

/**
 * The only mapper from foreign errors (AWS SDK exceptions, in-stream exception events, network and
 * abort errors, HTTP statuses) to the ConverseError tree. A ConverseError passes through unchanged.
 */
export function toConverseError(error: unknown, signal?: AbortSignal): ConverseError {
  if (ConverseError.isInstance(error)) return error;
  const e: ErrorLike = typeof error === 'object' && error !== null ? error : {};
  const message =
    typeof e.message === 'string' && e.message !== ''
      ? e.message
      : String(error ?? 'Unknown error');
  const name = typeof e.name === 'string' ? normaliseName(e.name) : '';
  const $metadata = pickMetadata(e.$metadata);
  const options = { cause: error, $metadata };

  if (signal?.aborted || name === 'AbortError') {
    return new AbortError(`The call was aborted: ${describeReason(signal?.reason ?? error)}`, {
      cause: signal?.reason ?? error,
    });
  }
  if (isBedrockExceptionName(name)) return new bedrockExceptions[name](message, options);

  const code = typeof e.code === 'string' ? e.code : undefined;
  if (
    (code !== undefined && networkCodes.has(code)) ||
    name === 'TimeoutError' ||
    /socket hang up|did not get a response|Stream timed out|Protocol error/i.test(message)
  ) {
    return new ConnectionError(`The connection to the model endpoint failed: ${message}`, options);
  }
  const status = $metadata?.httpStatusCode;
  const byCode = status === undefined ? undefined : byStatus[status];
  if (byCode) return new byCode(`${name || `HTTP ${status}`}: ${message}`, options);
  if (status !== undefined && status >= 500) {
    return new ConverseError(message, { ...options, retryable: false });
  }
  return new ConverseError(message, options);
}

/** In-stream exception members arrive camelCase (`throttlingException`); classes are PascalCase. */
function normaliseName(name: string): string {
  return name.length > 0 && name.endsWith('Exception')
    ? name[0]!.toUpperCase() + name.slice(1)
    : name;
}

function pickMetadata(metadata: ErrorMetadata | undefined): ErrorMetadata | undefined {
  if (!metadata) return undefined;
  const { httpStatusCode, requestId, attempts } = metadata;
  return { httpStatusCode, requestId, attempts };
}

function describeReason(reason: unknown): string {
  if (reason instanceof Error) return reason.message;
  return reason === undefined ? 'no reason given' : String(reason);
}
