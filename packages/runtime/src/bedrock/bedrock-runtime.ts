import {
  BedrockRuntimeClient,
  type BedrockRuntimeClientConfig,
  ConverseCommand,
  ConverseStreamCommand,
  CountTokensCommand,
} from '@aws-sdk/client-bedrock-runtime';
import { AbortError } from '../errors/project-errors.js';
import { toConverseError } from '../errors/to-converse-error.js';
import type {
  ConverseInput,
  ConverseResult,
  ConverseStreamEvent,
  ConverseStreamInput,
  CountTokensInput,
  ModelRuntime,
  RuntimeCallOptions,
} from '../model-runtime.js';
import { linkSdkSignal } from './sdk-signal.js';

export interface BedrockRuntimeOptions {
  /**
   * A client you built yourself. Its own retry settings stay as they are: give it
   * `maxAttempts: 1` when the ConverseClient's retry is on, or attempts multiply (docs/errors.md).
   */
  client?: BedrockRuntimeClient;
  region?: string;
  credentials?: BedrockRuntimeClientConfig['credentials'];
  /** Any Bedrock-compatible endpoint, e.g. the local server of `@bedrock-converse/local`. */
  endpoint?: string;
  /** e.g. `new NodeHttpHandler()` from `@smithy/node-http-handler` to force HTTP/1.1. */
  requestHandler?: BedrockRuntimeClientConfig['requestHandler'];
  /**
   * Attempts made by the SDK itself. Default 1: retries belong to bedrock-converse's `retry`
   * (p-retry), so each failure is retried by exactly one layer.
   */
  maxAttempts?: number;
  /** Any other client setting, passed through. */
  clientConfig?: BedrockRuntimeClientConfig;
}

/** A ModelRuntime on the AWS SDK's BedrockRuntimeClient. Errors come out as ConverseErrors. */
export function bedrockRuntime(options: BedrockRuntimeOptions = {}): ModelRuntime & {
  readonly client: BedrockRuntimeClient;
} {
  const client = options.client ?? new BedrockRuntimeClient(clientConfig(options));

  return {
    client,
    async converse(input: ConverseInput, call?: RuntimeCallOptions): Promise<ConverseResult> {
      const { $metadata: _metadata, ...result } = await sdkCall(call, (options) =>
        client.send(new ConverseCommand(input), options),
      );
      return result;
    },

    async *converseStream(
      input: ConverseStreamInput,
      call?: RuntimeCallOptions,
    ): AsyncGenerator<ConverseStreamEvent> {
      const link = linkSdkSignal(call?.signal);
      let finished = false;
      try {
        const response = await client.send(new ConverseStreamCommand(input), abortOptions(link));
        if (response.stream) {
          for await (const event of response.stream) yield event;
        }
        finished = true;
      } catch (error) {
        finished = true;
        throw toConverseError(error, call?.signal);
      } finally {
        // A consumer that stops reading early no longer wants the rest: close the HTTP stream.
        if (!finished)
          link?.sdkSignal.abort(new AbortError('The stream consumer stopped reading.'));
        link?.unlink();
      }
    },

    async countTokens(input: CountTokensInput, call?: RuntimeCallOptions): Promise<number> {
      const result = await sdkCall(call, (options) =>
        client.send(new CountTokensCommand(input), options),
      );
      return result.inputTokens ?? 0;
    },
  };
}

function clientConfig(options: BedrockRuntimeOptions): BedrockRuntimeClientConfig {
  const config: BedrockRuntimeClientConfig = {
    maxAttempts: options.maxAttempts ?? 1,
    ...options.clientConfig,
  };
  if (options.region !== undefined) config.region = options.region;
  if (options.credentials !== undefined) config.credentials = options.credentials;
  if (options.endpoint !== undefined) config.endpoint = options.endpoint;
  if (options.requestHandler !== undefined) config.requestHandler = options.requestHandler;
  return config;
}

function abortOptions(link: ReturnType<typeof linkSdkSignal>) {
  return link ? { abortSignal: link.sdkSignal } : {};
}

/** One SDK request under the caller's signal, its failure as a ConverseError. */
async function sdkCall<T>(
  call: RuntimeCallOptions | undefined,
  send: (options: ReturnType<typeof abortOptions>) => Promise<T>,
): Promise<T> {
  const link = linkSdkSignal(call?.signal);
  try {
    return await send(abortOptions(link));
  } catch (error) {
    throw toConverseError(error, call?.signal);
  } finally {
    link?.unlink();
  }
}
