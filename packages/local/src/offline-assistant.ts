import type { Message } from '@aws-sdk/client-bedrock-runtime';
import type { ConverseInput } from '@bedrock-converse/runtime';
import { imageSize } from 'image-size';
import { messageText } from './text-tokens.js';

/**
 * The scripted model's default behaviour: a deterministic, rule-based assistant, good enough to
 * show a multi-turn conversation offline (it reads the whole history it is sent, so it can recall
 * what the user said before). It is not a language model and says so.
 */
export function offlineAssistant(request: ConverseInput): string {
  const messages = request.messages ?? [];
  const last = [...messages].reverse().find((m) => m.role === 'user');
  const said = last ? messageText(last).trim() : '';
  const turn = messages.filter((m) => m.role === 'user').length;
  const lower = said.toLowerCase();

  const media = describeMedia(last);
  if (media.length > 0) {
    return `I received ${media.join(' and ')}. I am the scripted offline model, so I can tell you what arrived but not what it shows; use --model or --bedrock for a model that sees.`;
  }

  const name = /\bmy name is ([\p{L}][\p{L}'-]*)/iu.exec(said)?.[1];
  if (name) return `Nice to meet you, ${name}! I will remember your name for this conversation.`;
  if (/\bwhat('s| is) my name\b/.test(lower)) {
    const known = recallName(messages.slice(0, -1));
    return known
      ? `Your name is ${known}: you told me earlier in this conversation.`
      : "You haven't told me your name yet.";
  }
  if (/^(hi|hello|hey|good (morning|afternoon|evening))\b/.test(lower)) {
    return 'Hello! I am the scripted offline model of bedrock-converse: I answer by rules, not by language modelling. Tell me your name, ask me what you said before, or ask how many turns we have had.';
  }
  if (/\bhow many (turns|messages)\b/.test(lower)) {
    return `This is turn ${turn} of our conversation; I have seen ${messages.length} messages so far.`;
  }
  if (/\bwhat did i (say|ask)\b/.test(lower)) {
    const previous = messages
      .slice(0, -1)
      .filter((m) => m.role === 'user')
      .map((m) => `"${messageText(m).trim()}"`);
    return previous.length > 0
      ? `Before this you said: ${previous.join(', ')}.`
      : 'This is the first thing you said to me.';
  }
  if (said === '') return 'I received a message with no text in it.';
  return `You said: "${said}". (Turn ${turn}. I am a scripted model: run the chatbot with --model <file.gguf> for a real local model, or --bedrock for Amazon Bedrock.)`;
}

function recallName(messages: readonly Message[]): string | undefined {
  for (const message of [...messages].reverse()) {
    if (message.role !== 'user') continue;
    const match = /\bmy name is ([\p{L}][\p{L}'-]*)/iu.exec(messageText(message));
    if (match) return match[1];
  }
  return undefined;
}

/** What images and documents a message carries: format, size in pixels, bytes. */
function describeMedia(message: Message | undefined): string[] {
  const size = (n: number) => (n < 1024 ? `${n} bytes` : `${(n / 1024).toFixed(1)} kB`);
  return (message?.content ?? []).flatMap((block) => {
    if (block.image) {
      const bytes = block.image.source?.bytes;
      if (!bytes) return [`a ${block.image.format?.toUpperCase()} image stored elsewhere`];
      let pixels = '';
      try {
        const { width, height } = imageSize(bytes);
        pixels = `${width} × ${height} pixels, `;
      } catch {
        pixels = 'of unreadable size, ';
      }
      return [`a ${block.image.format?.toUpperCase()} image, ${pixels}${size(bytes.length)}`];
    }
    if (block.document) {
      const bytes = block.document.source?.bytes;
      return [
        `a ${block.document.format} document "${block.document.name}"${bytes ? `, ${size(bytes.length)}` : ''}`,
      ];
    }
    return [];
  });
}
