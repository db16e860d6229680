// A terminal chat on ConverseClient. Offline by default: a local Bedrock-compatible server runs in
// this process and the real AWS SDK client talks to it over HTTP, the same path as Amazon Bedrock.
// Replies stream as they are written; Ctrl-C during a reply stops it (the turn is not kept).
//   pnpm chat                         scripted offline model (no language model, no network)
//   pnpm chat -- --model file.gguf    a real local model through node-llama-cpp
//   pnpm chat -- --bedrock            Amazon Bedrock (AWS credentials and region from the environment)
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { ConverseClient } from '@bedrock-converse/core';
import { appRuntime, appRuntimeArgs, runMain } from '@bedrock-converse/local';

// Offline, the SDK only talks to our own server; its notice about future Node versions is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const help = `Usage: chatbot [--bedrock [--region R] [--model-id ID]] [--model FILE.gguf [--threads N]] [--system TEXT]

Type a message and press Enter; an empty line or Ctrl-D ends the chat. Piped input works too:
  echo "hello" | pnpm chat`;

const { values } = parseArgs({
  options: {
    ...appRuntimeArgs,
    system: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});

async function main(): Promise<number> {
  if (values.help) {
    console.log(help);
    return 0;
  }
  const app = await appRuntime({
    ...values,
    modelId: values['model-id'],
    // A small pause between chunks so a person at the terminal sees the reply stream.
    scripted: { chunkDelayMs: process.stdin.isTTY ? 12 : 0 },
  });
  const { runtime, modelId } = app;
  console.error(app.description);

  const client = new ConverseClient({ modelId, runtime, inferenceConfig: { maxTokens: 512 } });
  const conversationId = await client.createConversation(
    values.system
      ? { systemPrompt: values.system }
      : { systemPrompt: 'You are a helpful, concise assistant.' },
  );
  const interactive = process.stdin.isTTY === true;
  // Interactive: readline echoes what is typed and shows the prompt. Piped: plain lines.
  const lines = interactive
    ? createInterface({ input: process.stdin, output: process.stdout, prompt: 'you> ' })
    : createInterface({ input: process.stdin, terminal: false });
  let failures = 0;
  // Ctrl-C stops the reply being streamed; with no reply running it ends the chat.
  let turn: AbortController | undefined;
  const interrupt = () => {
    if (turn) turn.abort();
    else lines.close();
  };
  lines.on('SIGINT', interrupt);
  process.on('SIGINT', interrupt);
  try {
    if (interactive) lines.prompt();
    for await (const line of lines) {
      const message = line.trim();
      if (message === '') {
        if (interactive) break;
        continue;
      }
      if (!interactive) console.log(`you> ${message}`);
      turn = new AbortController();
      process.stdout.write('assistant> ');
      try {
        const reply = client.sendMessageStreaming({ conversationId, message, signal: turn.signal });
        for await (const chunk of reply) process.stdout.write(chunk);
        process.stdout.write('\n');
      } catch (error) {
        process.stdout.write('\n');
        const e = error as Error;
        if (e.name === 'AbortError') {
          console.error('(stopped; that turn was not kept)');
        } else {
          failures += 1;
          console.error(`error: ${e.name}: ${e.message}`);
        }
      } finally {
        turn = undefined;
      }
      if (interactive) lines.prompt();
    }
  } finally {
    process.off('SIGINT', interrupt);
    lines.close();
    await app.close();
  }
  const { usage, messages } = await client.getConversationHistory(conversationId);
  console.error(
    `(${messages.length} messages, ${usage.inputTokens} input and ${usage.outputTokens} output tokens)`,
  );
  return failures === 0 ? 0 : 1;
}

runMain(main);
