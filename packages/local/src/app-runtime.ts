import { bedrockRuntime, type ModelRuntime } from '@bedrock-converse/runtime';
import { llamaRuntime } from './llama-runtime.js';
import { type ScriptedRuntimeOptions, scriptedRuntime } from './scripted-runtime.js';
import { type LocalServer, startServer } from './server/local-server.js';

/** Command-line options every example shares, for `node:util` `parseArgs`. */
export const appRuntimeArgs = {
  bedrock: { type: 'boolean', default: false },
  region: { type: 'string' },
  'model-id': { type: 'string' },
  model: { type: 'string' },
  threads: { type: 'string' },
} as const;

export interface AppRuntimeOptions {
  /** Talk to Amazon Bedrock (credentials and region from the environment unless given). */
  bedrock?: boolean | undefined;
  region?: string | undefined;
  /** The Bedrock model id. Default: Claude 3.5 Haiku through the US inference profile. */
  modelId?: string | undefined;
  /** A GGUF file for a real local model (default: BEDROCK_CONVERSE_LOCAL_MODEL). */
  model?: string | undefined;
  threads?: string | number | undefined;
  /** The scripted model used when neither Bedrock nor a GGUF file is asked for. */
  scripted?: ScriptedRuntimeOptions;
}

export interface AppRuntime {
  runtime: ModelRuntime;
  modelId: string;
  /** One line saying what answers, for the user. */
  description: string;
  /** The local server, when one runs. */
  server: LocalServer | undefined;
  close(): Promise<void>;
}

/**
 * The runtime an app (such as the examples) runs on: offline by default, the scripted model behind
 * a local Bedrock-compatible server that the real AWS SDK client talks to; a real GGUF model the
 * same way with `model`; or Amazon Bedrock with `bedrock`. Offline, the path is the Bedrock one.
 */
export async function appRuntime(options: AppRuntimeOptions = {}): Promise<AppRuntime> {
  if (options.bedrock) {
    const modelId = options.modelId ?? 'us.anthropic.claude-3-5-haiku-20241022-v1:0';
    const region = options.region ?? process.env.AWS_REGION ?? 'us-east-1';
    return {
      runtime: bedrockRuntime({ region }),
      modelId,
      description: `Talking to Amazon Bedrock: ${modelId} in ${region}.`,
      server: undefined,
      close: async () => {},
    };
  }
  const modelPath = options.model ?? process.env.BEDROCK_CONVERSE_LOCAL_MODEL;
  const threads = options.threads === undefined ? undefined : Number(options.threads);
  const local = modelPath
    ? llamaRuntime({ modelPath, threads })
    : scriptedRuntime(options.scripted ?? {});
  const server = await startServer({ runtime: local });
  return {
    runtime: bedrockRuntime(server.clientConfig),
    modelId: modelPath ? 'local.gguf' : 'local.scripted',
    description: modelPath
      ? `Offline: the GGUF model ${modelPath}, served on ${server.url}.`
      : `Offline: answering with the SCRIPTED local model (rules, not a language model), served on ${server.url}.\n` +
        'For a real local model pass --model path/to/model.gguf; for Amazon Bedrock pass --bedrock (and --region, --model-id).',
    server,
    close: async () => {
      await server.close();
      if ('dispose' in local) await local.dispose();
    },
  };
}

/**
 * Runs an app's main function and sets the exit code from it: its own number, or 1 with the error
 * printed as "error: Name: message" when it throws.
 */
export function runMain(main: () => Promise<number>): void {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(
        `error: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
      );
      process.exitCode = 1;
    },
  );
}
