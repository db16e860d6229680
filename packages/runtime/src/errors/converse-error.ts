const marker = Symbol.for('bedrock-converse.error');

/** Response metadata of the HTTP call that failed, when there was one (copied from the SDK). */
export interface ErrorMetadata {
  httpStatusCode?: number | undefined;
  requestId?: string | undefined;
  attempts?: number | undefined;
}

export interface ConverseErrorOptions {
  cause?: unknown;
  /** Overrides the class default (e.g. a stream error after text was delivered is not retryable). */
  retryable?: boolean | undefined;
  $metadata?: ErrorMetadata | undefined;
}

/**
 * The root of every error bedrock-converse throws. `name` is the machine-readable kind (Bedrock's
 * exception name where there is one), `retryable` says whether trying the same call again can
 * succeed, and `cause` keeps the original error.
 */
export class ConverseError extends Error {
  override name = 'ConverseError';
  /** Whether retrying the same request may succeed. */
  readonly retryable: boolean;
  /** The HTTP status Bedrock uses for this kind of error, when it has one. */
  readonly statusCode: number | undefined;
  readonly $metadata: ErrorMetadata | undefined;

  constructor(message: string, options: ConverseErrorOptions = {}, defaults?: ErrorDefaults) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retryable = options.retryable ?? defaults?.retryable ?? false;
    this.statusCode = options.$metadata?.httpStatusCode ?? defaults?.statusCode;
    this.$metadata = options.$metadata;
    Object.defineProperty(this, marker, { value: true });
  }

  /** True for a ConverseError from any copy of this package (instanceof fails across copies). */
  static isInstance(value: unknown): value is ConverseError {
    return typeof value === 'object' && value !== null && marker in value;
  }
}

export interface ErrorDefaults {
  statusCode?: number | undefined;
  retryable: boolean;
}

/** A class factory for error kinds that differ only in name, HTTP status and retryability. */
export function errorKind<N extends string>(
  name: N,
  statusCode: number | undefined,
  retryable: boolean,
) {
  return class extends ConverseError {
    override name: string = name;
    constructor(message: string, options: ConverseErrorOptions = {}) {
      super(message, options, { statusCode, retryable });
    }
  };
}
