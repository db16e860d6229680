// Images and documents through the real SDK path: byte-exact round trips, and every invalid case
// refused before any request, history unchanged.
import { readFileSync } from 'node:fs';
import type { ContentBlock, ImageFormat } from '@aws-sdk/client-bedrock-runtime';
import { type LocalServer, scriptedRuntime, startServer } from '@bedrock-converse/local';
import { bedrockRuntime, ValidationException } from '@bedrock-converse/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MultimodalConverseClient } from '../src/index.js';

const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`./fixtures/media/${name}`, import.meta.url)));
const png = fixture('square.png');

/** A PNG header claiming these dimensions (what the checks read), padded to `size` bytes. */
function pngOf(width: number, height: number, size = 64): Uint8Array {
  const bytes = new Uint8Array(Math.max(size, 33));
  bytes.set(png.subarray(0, 33));
  new DataView(bytes.buffer).setUint32(16, width);
  new DataView(bytes.buffer).setUint32(20, height);
  return bytes;
}

let server: LocalServer;
beforeAll(async () => {
  server = await startServer({ runtime: scriptedRuntime() });
});
afterAll(() => server.close());

const client = (modelId = 'anthropic.claude-3-5-sonnet-20240620-v1:0') =>
  new MultimodalConverseClient({ modelId, runtime: bedrockRuntime(server.clientConfig) });

describe('images through the real SDK path', () => {
  it.each([
    ['png', 'square.png'],
    ['jpeg', 'dot.jpg'],
    ['gif', 'dot.gif'],
    ['webp', 'dot.webp'],
  ] as const)(
    'a %s image reaches the server byte-exact, and the scripted model describes it',
    async (format, file) => {
      const bytes = fixture(file);
      const c = client();
      const id = await c.createConversation();
      const reply = await c.sendMessageWithImage({
        conversationId: id,
        message: 'What is in this picture?',
        imageBytes: bytes,
        imageFormat: format,
      });
      expect(reply).toContain(`a ${format.toUpperCase()} image`);
      const sent = server.requests.at(-1)!.body as {
        messages: { content: Array<{ image?: { source: { bytes: string } } }> }[];
      };
      const wire = sent.messages.at(-1)!.content[0]!.image!.source.bytes;
      expect(Buffer.from(wire, 'base64').equals(Buffer.from(bytes))).toBe(true);
      const stored = (await c.getConversationHistory(id)).messages[0]!
        .content![0] as ContentBlock.ImageMember;
      expect(Buffer.from(stored.image.source!.bytes!).equals(Buffer.from(bytes))).toBe(true);
    },
  );

  const many = Array.from({ length: 21 }, () => ({
    image: { format: 'png' as const, source: { bytes: png } },
  }));
  it.each([
    [
      'a PNG declared as JPEG',
      { image: png, format: 'jpeg' },
      /declared as jpeg, but its bytes are a png image/,
    ],
    [
      'a 4 MB image',
      { image: pngOf(100, 100, 4_000_000), format: 'png' },
      /3\.8\d MB; Bedrock takes at most 3\.75 MB/,
    ],
    [
      'a 9000-px image',
      { image: pngOf(9000, 10), format: 'png' },
      /9000 × 10 pixels; Bedrock takes at most 8000/,
    ],
    ['21 images', { blocks: many }, /21 images; Bedrock takes at most 20/],
    [
      'a bad document name',
      {
        blocks: [
          {
            document: {
              name: 'report.v2.pdf',
              format: 'pdf' as const,
              source: { bytes: Uint8Array.of(37, 80, 68, 70) },
            },
          },
          { text: 'Summarise' },
        ],
      },
      /document name "report\.v2\.pdf".*not allowed/,
    ],
    [
      'an image to a text-only model',
      { image: png, format: 'png', modelId: 'amazon.titan-text-express-v1' },
      /does not accept images/,
    ],
  ] as Array<
    [
      string,
      { image?: Uint8Array; format?: ImageFormat; blocks?: ContentBlock[]; modelId?: string },
      RegExp,
    ]
  >)(
    '%s raises ValidationException before any request, history unchanged',
    async (_what, input, message) => {
      const c = client(input.modelId);
      const id = await c.createConversation();
      await c.sendMessage({ conversationId: id, message: 'Hello' });
      const before = await c.getConversationHistory(id);
      const seen = server.requests.length;
      const sending = input.blocks
        ? c.send({ conversationId: id, message: input.blocks })
        : c.sendMessageWithImage({
            conversationId: id,
            message: 'Look',
            imageBytes: input.image!,
            imageFormat: input.format!,
          });
      const error = await sending.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationException);
      expect((error as Error).message).toMatch(message);
      expect(server.requests.length).toBe(seen);
      expect(await c.getConversationHistory(id)).toStrictEqual(before);
    },
  );

  it('exports a conversation with images and tools and imports it exactly, in another client', async () => {
    const c = client();
    const id = await c.createConversation({ systemPrompt: 'Look closely.' });
    await c.sendMessageWithImage({
      conversationId: id,
      message: 'What is it?',
      imageBytes: png,
      imageFormat: 'png',
    });
    await c.addMessage({ conversationId: id, role: 'user', content: 'Check it with a tool.' });
    await c.addMessage({
      conversationId: id,
      role: 'assistant',
      content: [{ toolUse: { toolUseId: 't1', name: 'inspect', input: { depth: 2 } } }],
    });
    await c.addMessage({
      conversationId: id,
      role: 'user',
      content: [{ toolResult: { toolUseId: 't1', content: [{ json: { shape: 'square' } }] } }],
    });
    const saved = await c.exportConversation(id);
    const other = client();
    const loaded = await other.importConversation(saved);
    expect(loaded).toBe(id);
    const { messages, systemPrompt } = await other.getConversationHistory(loaded);
    expect(systemPrompt).toBe('Look closely.');
    expect(messages).toStrictEqual((await c.getConversationHistory(id)).messages);
    await expect(
      other.importConversation(saved.replace('"version":1', '"version":9')),
    ).rejects.toThrow(/format version 9/);
  });

  it('sends a document with its text', async () => {
    const c = client();
    const id = await c.createConversation();
    const reply = await c.sendMessageWithDocument({
      conversationId: id,
      message: 'Summarise this',
      documentBytes: new TextEncoder().encode('# Notes\nAll good.'),
      documentFormat: 'md',
      documentName: 'Team notes (May)',
    });
    expect(reply).toContain('a md document "Team notes (May)"');
  });
});
