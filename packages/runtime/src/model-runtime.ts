import type {
  ConverseRequest,
  ConverseResponse,
  ConverseStreamOutput,
  ConverseStreamRequest,
  CountTokensRequest,
} from '@aws-sdk/client-bedrock-runtime';

/** A Converse request: the AWS SDK's own shape, `modelId` included. */
export type ConverseInput = ConverseRequest;
/** A ConverseStream request: the AWS SDK's own shape, `modelId` included. */
export type ConverseStreamInput = ConverseStreamRequest;
/** A Converse answer without the SDK's `$metadata`. */
export type ConverseResult = ConverseResponse;
/** One event of a ConverseStream answer (`messageStart`, `contentBlockDelta`, …, `metadata`). */
export type ConverseStreamEvent = ConverseStreamOutput;
/** A CountTokens request: the AWS SDK's own shape. */
export type CountTokensInput = CountTokensRequest;

export interface RuntimeCallOptions {
  /** Aborting it cancels the call; for HTTP runtimes the request itself is cancelled. */
  signal?: AbortSignal | undefined;
}

/**
 * The one place a model is called. Implementations: `bedrockRuntime` (the AWS SDK client, pointed
 * at Amazon Bedrock or at any Bedrock-compatible endpoint) and the local runtimes of
 * `@bedrock-converse/local`. Every implementation throws only `ConverseError`s.
 */
export interface ModelRuntime {
  converse(input: ConverseInput, options?: RuntimeCallOptions): Promise<ConverseResult>;
  converseStream(
    input: ConverseStreamInput,
    options?: RuntimeCallOptions,
  ): AsyncIterable<ConverseStreamEvent>;
  /** Exact input token count, where the model supports the CountTokens operation. */
  countTokens?(input: CountTokensInput, options?: RuntimeCallOptions): Promise<number>;
}
