// A weather-and-units agent: the seed's function-calling weather example in TypeScript, on typed
// tools and the tool-loop machine. Offline by default (a scripted model behind the local
// Bedrock-compatible server, through the real AWS SDK client); --model FILE.gguf for a real local
// model; --bedrock for Amazon Bedrock.
//   pnpm --filter @bedrock-converse/example-agent start -- "What's the weather in Oslo, in Fahrenheit?"
import { parseArgs } from 'node:util';
import { FunctionCallingConverseClient } from '@bedrock-converse/core';
import { appRuntime, appRuntimeArgs, runMain } from '@bedrock-converse/local';
import { offlineWeatherAgent } from './offline-agent.js';
import { weatherTools } from './weather-tools.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { values, positionals } = parseArgs({
  options: { ...appRuntimeArgs, 'max-steps': { type: 'string', default: '6' } },
  allowPositionals: true,
});
const question =
  positionals.join(' ').trim() ||
  'What is the weather in Lisbon and in Atlantis? Give me Lisbon in Fahrenheit too.';

async function main(): Promise<number> {
  const app = await appRuntime({
    ...values,
    modelId: values['model-id'],
    scripted: { respond: offlineWeatherAgent },
  });
  console.error(app.description);
  try {
    const client = new FunctionCallingConverseClient({
      modelId: app.modelId,
      runtime: app.runtime,
      tools: weatherTools,
      maxSteps: Number(values['max-steps']),
      inferenceConfig: { maxTokens: 512 },
    });
    const conversationId = await client.createConversation({
      systemPrompt:
        'You are a weather assistant. Use get_weather for every city asked about and convert_temperature for other units. If a tool fails, say so plainly.',
    });
    console.log(`you> ${question}`);
    const result = await client.sendMessageWithFunctions({ conversationId, message: question });
    for (const call of result.functionCalls) {
      const outcome =
        call.error === undefined ? JSON.stringify(call.output) : `error: ${call.error}`;
      console.log(`  ${call.name}(${JSON.stringify(call.input)}) → ${outcome}`);
    }
    console.log(`Final response: ${result.response}`);
    console.log(`Number of function calls: ${result.functionCalls.length}`);
    return 0;
  } finally {
    await app.close();
  }
}

runMain(main);
