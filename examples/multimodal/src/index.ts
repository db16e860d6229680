// Sends a bundled image with a question (the seed's multimodal conversation). Offline, the
// scripted model says what it received (format, pixels, bytes); with --bedrock a real model
// describes it. Also shows an image refused before any request: a PNG declared as JPEG.
//   pnpm --filter @bedrock-converse/example-multimodal start [-- path/to/image.png]
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parseArgs } from 'node:util';
import { MultimodalConverseClient } from '@bedrock-converse/core';
import { appRuntime, appRuntimeArgs, runMain } from '@bedrock-converse/local';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { values, positionals } = parseArgs({
  options: { ...appRuntimeArgs },
  allowPositionals: true,
});
const imagePath = positionals[0] ?? new URL('../assets/sunset.png', import.meta.url).pathname;
const formats = {
  '.png': 'png',
  '.jpg': 'jpeg',
  '.jpeg': 'jpeg',
  '.gif': 'gif',
  '.webp': 'webp',
} as const;

async function main(): Promise<number> {
  const format = formats[extname(imagePath).toLowerCase() as keyof typeof formats];
  if (!format) {
    console.error(`error: ${imagePath} is not a png, jpeg, gif or webp file.`);
    return 1;
  }
  const imageBytes = new Uint8Array(readFileSync(imagePath));
  const app = await appRuntime({
    ...values,
    modelId: values['model-id'] ?? 'us.anthropic.claude-3-5-sonnet-20241022-v2:0',
  });
  console.error(app.description);
  try {
    const client = new MultimodalConverseClient({ modelId: app.modelId, runtime: app.runtime });
    const conversationId = await client.createConversation();
    const question = 'What do you see in this image? Answer in one sentence.';
    console.log(`you> [${imagePath.split('/').at(-1)}] ${question}`);
    const reply = await client.sendMessageWithImage({
      conversationId,
      message: question,
      imageBytes,
      imageFormat: format,
    });
    console.log(`assistant> ${reply}`);

    // Checked before any request: the bytes must be what the format says.
    const wrong = format === 'jpeg' ? 'png' : 'jpeg';
    try {
      await client.sendMessageWithImage({
        conversationId,
        message: 'And this?',
        imageBytes,
        imageFormat: wrong,
      });
    } catch (error) {
      console.log(`refused before sending: ${(error as Error).name}: ${(error as Error).message}`);
    }
    const { messages } = await client.getConversationHistory(conversationId);
    console.log(`(${messages.length} messages stored; the refused one was not)`);
    return 0;
  } finally {
    await app.close();
  }
}

runMain(main);
