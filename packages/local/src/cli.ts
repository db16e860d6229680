import { parseArgs } from 'node:util';
import { llamaRuntime } from './llama-runtime.js';
import { scriptedRuntime } from './scripted-runtime.js';
import { startServer } from './server/local-server.js';

const usage = `Usage: bedrock-converse-local serve [--port N] [--host H] [--model FILE.gguf] [--threads N]

Serves the Bedrock Converse API (converse, converse-stream, count-tokens) on HTTP/2 cleartext and
HTTP/1.1. Without --model it answers with the scripted offline model; with --model (or the
BEDROCK_CONVERSE_LOCAL_MODEL environment variable) it runs that GGUF model through node-llama-cpp.
Point any AWS SDK client at it with endpoint http://HOST:PORT and any credentials.`;

export async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: 'string', default: '8787' },
      host: { type: 'string', default: '127.0.0.1' },
      model: { type: 'string' },
      threads: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || positionals[0] !== 'serve') {
    console.log(usage);
    return values.help ? 0 : 2;
  }
  const modelPath = values.model ?? process.env.BEDROCK_CONVERSE_LOCAL_MODEL;
  const runtime = modelPath
    ? llamaRuntime({ modelPath, threads: values.threads ? Number(values.threads) : undefined })
    : scriptedRuntime();
  const server = await startServer({ runtime, port: Number(values.port), host: values.host });
  const what = modelPath
    ? `the GGUF model ${modelPath}`
    : 'the scripted offline model (not a language model)';
  console.log(`bedrock-converse-local: serving ${what} on ${server.url}`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  return 0;
}
