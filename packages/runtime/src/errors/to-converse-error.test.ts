import {
  ThrottlingException as SdkThrottlingException,
  ValidationException as SdkValidationException,
} from '@aws-sdk/client-bedrock-runtime';
import { describe, expect, it } from 'vitest';
import {
  bedrockExceptions,
  InternalServerException,
  ModelErrorException,
  ServiceUnavailableException,
  ThrottlingException,
  ValidationException,
} from './bedrock-exceptions.js';
import { ConverseError } from './converse-error.js';
import { AbortError, ConnectionError, ConversationNotFound } from './project-errors.js';
import { toConverseError } from './to-converse-error.js';

const metadata = { httpStatusCode: 429, requestId: 'req-1', attempts: 1, totalRetryDelay: 0 };

describe('toConverseError', () => {
  it('maps an SDK exception to ours by name, keeping message, metadata and cause', () => {
    const sdk = new SdkThrottlingException({ message: 'Too many tokens', $metadata: metadata });
    const error = toConverseError(sdk);
    expect(error).toBeInstanceOf(ThrottlingException);
    expect(error).toBeInstanceOf(ConverseError);
    expect(error.name).toBe('ThrottlingException');
    expect(String(error)).toContain('ThrottlingException');
    expect(error.message).toBe('Too many tokens');
    expect(error.retryable).toBe(true);
    expect(error.$metadata).toStrictEqual({ httpStatusCode: 429, requestId: 'req-1', attempts: 1 });
    expect(error.cause).toBe(sdk);
  });

  it('keeps every Bedrock exception name with its status and retryability', () => {
    const table = Object.entries(bedrockExceptions).map(([name, Kind]) => {
      const mapped = toConverseError(Object.assign(new Error('m'), { name }));
      expect(mapped).toBeInstanceOf(Kind);
      return [name, mapped.statusCode, mapped.retryable];
    });
    expect(table).toStrictEqual([
      ['ValidationException', 400, false],
      ['AccessDeniedException', 403, false],
      ['ResourceNotFoundException', 404, false],
      ['ModelTimeoutException', 408, true],
      ['ModelErrorException', 424, false],
      ['ModelStreamErrorException', 424, true],
      ['ThrottlingException', 429, true],
      ['ModelNotReadyException', 429, true],
      ['ServiceQuotaExceededException', 400, false],
      ['InternalServerException', 500, true],
      ['ServiceUnavailableException', 503, true],
    ]);
  });

  it('maps in-stream camelCase member names', () => {
    expect(
      toConverseError(Object.assign(new Error('x'), { name: 'throttlingException' })),
    ).toBeInstanceOf(ThrottlingException);
  });

  it('falls back to the HTTP status for codes it does not know', () => {
    const odd = (status: number) =>
      Object.assign(new SyntaxError('Unexpected token <'), {
        $metadata: { httpStatusCode: status },
      });
    expect(toConverseError(odd(502))).toBeInstanceOf(ServiceUnavailableException);
    expect(toConverseError(odd(500))).toBeInstanceOf(InternalServerException);
    expect(toConverseError(odd(424))).toBeInstanceOf(ModelErrorException);
    expect(toConverseError(odd(501)).retryable).toBe(false);
  });

  it('maps network failures to a retryable ConnectionError', () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const error = toConverseError(reset);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.retryable).toBe(true);
  });

  it('maps an aborted call to AbortError', () => {
    const controller = new AbortController();
    controller.abort(new Error('user pressed stop'));
    const error = toConverseError(new Error('aborted'), controller.signal);
    expect(error).toBeInstanceOf(AbortError);
    expect(error.message).toBe('The call was aborted: user pressed stop');
  });

  it('passes ConverseErrors through and wraps anything else', () => {
    const ours = new ConversationNotFound('c1');
    expect(toConverseError(ours)).toBe(ours);
    expect(
      toConverseError(new SdkValidationException({ message: 'bad', $metadata: {} })),
    ).toBeInstanceOf(ValidationException);
    const plain = toConverseError('just a string');
    expect(plain.name).toBe('ConverseError');
    expect(plain.retryable).toBe(false);
    expect(ConverseError.isInstance(plain)).toBe(true);
    expect(ConverseError.isInstance(new Error('x'))).toBe(false);
  });
});
