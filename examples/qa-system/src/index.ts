// Questions answered over a small bundled corpus (the Millbrook Public Library's documents)
// through a search tool. Offline by default (a scripted model behind the local Bedrock-compatible
// server, through the real AWS SDK client); --model FILE.gguf or --bedrock for a real model.
//   pnpm --filter @bedrock-converse/example-qa-system start -- "How much are late fees for films?"
//   printf 'When is story time?\nIs there wifi?\n' | pnpm --filter @bedrock-converse/example-qa-system start
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { ConverseClient } from '@bedrock-converse/core';
import { appRuntime, appRuntimeArgs, runMain } from '@bedrock-converse/local';
import { searchTool } from './corpus-search.js';
import { offlineQa } from './offline-qa.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { values, positionals } = parseArgs({
  options: { ...appRuntimeArgs, corpus: { type: 'string' } },
  allowPositionals: true,
});

async function questions(): Promise<string[]> {
  if (positionals.length > 0) return [positionals.join(' ')];
  if (process.stdin.isTTY) return ['When is the library open on Saturday?'];
  const lines: string[] = [];
  for await (const line of createInterface({ input: process.stdin, terminal: false })) {
    if (line.trim() !== '') lines.push(line.trim());
  }
  return lines;
}

async function main(): Promise<number> {
  const asked = await questions();
  const app = await appRuntime({
    ...values,
    modelId: values['model-id'],
    scripted: { respond: offlineQa },
  });
  console.error(app.description);
  try {
    const client = new ConverseClient({
      modelId: app.modelId,
      runtime: app.runtime,
      tools: [searchTool(values.corpus)],
      maxSteps: 4,
      inferenceConfig: { maxTokens: 400 },
    });
    const systemPrompt =
      'You answer questions about the Millbrook Public Library using only the passages search_documents returns. Cite the source file. If the passages do not answer, say you could not find it.';
    let failures = 0;
    for (const question of asked) {
      // Each question is its own conversation: answers come from the documents, not earlier turns.
      const conversationId = await client.createConversation({ systemPrompt });
      console.log(`Q: ${question}`);
      try {
        const result = await client.send({ conversationId, message: question });
        console.log(`A: ${result.text}`);
        const sources = result.toolCalls.flatMap(
          (call) => (call.output as { results?: { id: string }[] } | undefined)?.results ?? [],
        );
        console.log(
          `   (searched ${result.toolCalls.length}×; passages: ${sources.map((s) => s.id).join(', ') || 'none'})`,
        );
      } catch (error) {
        failures += 1;
        console.error(`error: ${(error as Error).name}: ${(error as Error).message}`);
      }
    }
    return failures === 0 ? 0 : 1;
  } finally {
    await app.close();
  }
}

runMain(main);
