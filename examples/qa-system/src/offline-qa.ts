// The Q&A example's offline model: scripted rules, not a language model. For a question it calls
// search_documents; with the results it answers with the sentence that best matches the question,
// citing its source, or says that the documents do not cover it.
import type { Message } from '@aws-sdk/client-bedrock-runtime';
import type { ScriptedTurn } from '@bedrock-converse/local';
import type { ConverseInput } from '@bedrock-converse/runtime';

interface Hit {
  source: string;
  text: string;
}

const stopWords = new Set(
  'a an and are at be can do does for from how i in is it many me much my of on or the to what when where which who why will with you your'.split(
    ' ',
  ),
);

const words = (text: string) =>
  text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 1 && !stopWords.has(w));

export function offlineQa(request: ConverseInput): ScriptedTurn {
  const messages = request.messages ?? [];
  const last = messages.at(-1);
  const result = last?.content?.find((b) => b.toolResult)?.toolResult;
  const question = lastQuestion(messages);
  if (!result) {
    return { toolUses: [{ name: 'search_documents', input: { query: question, limit: 3 } }] };
  }
  const hits = (result.content?.[0]?.json as { results?: Hit[] } | undefined)?.results ?? [];
  const asked = new Set(words(question));
  let best: { sentence: string; source: string; overlap: number } | undefined;
  for (const hit of hits) {
    for (const sentence of hit.text.split(/(?<=\.)\s+/)) {
      const overlap = words(sentence).filter(
        (w) => asked.has(w) || asked.has(w.replace(/s$/, '')),
      ).length;
      if (overlap > (best?.overlap ?? 0)) best = { sentence, source: hit.source, overlap };
    }
  }
  // One shared word is chance ("bring" in "Can I bring my dog?"); ask for two when the question has two.
  if (!best || best.overlap < Math.min(2, asked.size)) {
    return "I could not find that in the library's documents.";
  }
  return `${best.sentence} [source: ${best.source}]`;
}

function lastQuestion(messages: Message[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const text = (messages[i]!.content ?? [])
      .map((b) => b.text ?? '')
      .join(' ')
      .trim();
    if (messages[i]!.role === 'user' && text !== '') return text;
  }
  return '';
}
