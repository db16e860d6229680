import type {
  ContentBlock,
  Message,
  StopReason,
  SystemContentBlock,
} from '@aws-sdk/client-bedrock-runtime';
import {
  type ConverseInput,
  type ConverseResult,
  type ConverseStreamEvent,
  type ModelRuntime,
  type RuntimeCallOptions,
  streamEventsOf,
  toConverseError,
  ValidationException,
} from '@bedrock-converse/runtime';
import { blockText } from './text-tokens.js';
import { offersTools, parseToolAnswer, toolAnswerSchema, toolsPreamble } from './tool-grammar.js';

export interface LlamaRuntimeOptions {
  /** Path of a GGUF model file. Default: the BEDROCK_CONVERSE_LOCAL_MODEL environment variable. */
  modelPath?: string | undefined;
  /**
   * CPU threads for generation. Always set explicitly: node-llama-cpp's default oversubscribes small
   * machines and slows generation by orders of magnitude. Default: min(2, available cores).
   */
  threads?: number | undefined;
  /** Context size in tokens. Default 2048 (or the model's training context, if smaller). */
  contextSize?: number | undefined;
  /** Used when a request sets no maxTokens. Default 256. */
  defaultMaxTokens?: number | undefined;
  /** Sampling seed, for repeatable output. */
  seed?: number | undefined;
}

export interface LlamaRuntime extends ModelRuntime {
  /** Loads the model now (otherwise the first request does). */
  load(): Promise<void>;
  /** Frees the model and its context. */
  dispose(): Promise<void>;
  /** The exact prompt text a request becomes, as the model's tokenizer will see it. */
  renderPrompt(request: ConverseInput): Promise<string>;
}

interface Generation {
  inputTokens: number;
  outputTokens: number;
  stopReason: StopReason;
}

// The subset of node-llama-cpp we use, typed loosely so the package stays an optional peer.
type LlamaModule = typeof import('node-llama-cpp');
type Token = import('node-llama-cpp').Token;
type Loaded = Awaited<ReturnType<typeof load>>;

const PLAIN_USER = 'User:';
const PLAIN_ASSISTANT = 'Assistant:';

/**
 * A real language model, in process, through node-llama-cpp (CPU only, prebuilt binaries, never
 * compiles or downloads). Requests are mapped onto the model's chat template, or onto a plain
 * "User: … / Assistant:" template when the model has none. Usage reports the tokens actually
 * evaluated (the prompt) and generated; `maxTokens` and `stopSequences` are honoured; streams
 * yield one text delta per generated token. Requests run one at a time.
 *
 * With tools, the output is constrained by a JSON-schema grammar built from them (./tool-grammar.ts):
 * the model answers with text or with a call of one tool whose input follows its schema, so every
 * turn is a valid Converse turn. Such a turn is generated whole, then streamed as events.
 */
export function llamaRuntime(options: LlamaRuntimeOptions = {}): LlamaRuntime {
  let loading: Promise<Loaded> | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  let toolUseCounter = 0;
  /** Grammars by their schema's JSON: building one costs more than a short generation. */
  const grammars = new Map<string, Promise<import('node-llama-cpp').LlamaGrammar>>();
  const modelPath = options.modelPath ?? process.env.BEDROCK_CONVERSE_LOCAL_MODEL;

  const ensureLoaded = () => {
    if (!modelPath) {
      throw new ValidationException(
        'No local model file: pass modelPath or set BEDROCK_CONVERSE_LOCAL_MODEL to a .gguf file.',
      );
    }
    loading ??= load(modelPath, options);
    return loading;
  };

  /** Runs one generation at a time (the model has one context sequence). */
  function exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = queue.then(task, task);
    queue = run.catch(() => undefined);
    return run;
  }

  async function* generate(
    request: ConverseInput,
    signal: AbortSignal | undefined,
  ): AsyncGenerator<string, Generation> {
    const loaded = await ensureLoaded();
    const prompt = render(loaded, request);
    const { model, sequence } = loaded;
    const tokens = promptTokens(loaded, prompt.text);
    const maxTokens = request.inferenceConfig?.maxTokens ?? options.defaultMaxTokens ?? 256;
    const withTools = offersTools(request.toolConfig);
    // Under a grammar the answer is JSON, ended by the grammar itself: stop sequences would cut it.
    const stops = withTools
      ? []
      : [...(request.inferenceConfig?.stopSequences ?? []), ...prompt.implicitStops];
    let grammarEvaluationState: import('node-llama-cpp').LlamaGrammarEvaluationState | undefined;
    if (withTools && request.toolConfig) {
      // A text answer must fit in the tokens allowed (a token is at least one character).
      const budget = Math.min(maxTokens, sequence.context.contextSize - tokens.length);
      const schema = toolAnswerSchema(request.toolConfig, {
        maxTextLength: Math.max(8, Math.min(240, budget - 32)),
      });
      const key = JSON.stringify(schema);
      let grammar = grammars.get(key);
      if (!grammar) {
        grammar = loaded.llama.createGrammarForJsonSchema(schema as never);
        grammars.set(key, grammar);
      }
      grammarEvaluationState = new loaded.llamaCpp.LlamaGrammarEvaluationState({
        model,
        grammar: await grammar,
      });
    }
    const room = sequence.context.contextSize - tokens.length;
    if (room <= 0) throw new ValidationException('Input is too long for requested model.');
    const limit = Math.min(maxTokens, room);
    await sequence.clearHistory();
    const generated: Token[] = [];
    let emitted = '';
    let stopReason: StopReason = 'max_tokens';
    const evaluation = sequence.evaluate(tokens, {
      temperature: request.inferenceConfig?.temperature ?? 0.7,
      topP: request.inferenceConfig?.topP ?? 0.9,
      ...(options.seed === undefined ? {} : { seed: options.seed }),
      ...(grammarEvaluationState ? { grammarEvaluationState } : {}),
    });
    try {
      for await (const token of evaluation) {
        if (signal?.aborted) throw signal.reason;
        if (model.isEogToken(token)) {
          stopReason = 'end_turn';
          break;
        }
        generated.push(token);
        const text = model.detokenize(generated);
        // A grammar answer is one JSON object: once it parses it is whole (the grammar would only
        // allow trailing whitespace from here on).
        if (withTools && text.trimEnd().endsWith('}') && parses(text)) {
          yield text.slice(emitted.length);
          emitted = text;
          stopReason = 'end_turn';
          break;
        }
        const stop = earliest(text, stops);
        if (stop) {
          const visible = text.slice(0, stop.index);
          if (visible.length > emitted.length) yield visible.slice(emitted.length);
          emitted = visible;
          stopReason =
            stops.indexOf(stop.value) < stops.length - prompt.implicitStops.length
              ? 'stop_sequence'
              : 'end_turn';
          break;
        }
        // Hold back a tail that could still become a stop sequence, and incomplete UTF-8.
        const safe = text.length - holdBack(text, stops);
        if (safe > emitted.length && !text.endsWith('\uFFFD')) {
          yield text.slice(emitted.length, safe);
          emitted = text.slice(0, safe);
        }
        if (generated.length >= limit) break;
      }
    } finally {
      await evaluation.return();
    }
    if (stopReason !== 'stop_sequence') {
      const text = model.detokenize(generated);
      const cut =
        stopReason === 'end_turn' ? (earliest(text, stops)?.index ?? text.length) : text.length;
      if (cut > emitted.length) yield text.slice(emitted.length, cut);
    }
    return { inputTokens: tokens.length, outputTokens: generated.length, stopReason };
  }

  async function converse(
    request: ConverseInput,
    call?: RuntimeCallOptions,
  ): Promise<ConverseResult> {
    const started = performance.now();
    return exclusive(async () => {
      try {
        const stream = generate(request, call?.signal);
        let text = '';
        let step = await stream.next();
        while (!step.done) {
          text += step.value;
          step = await stream.next();
        }
        if (!offersTools(request.toolConfig))
          return toResult(text.trimStart(), step.value, started);
        const answer = parseToolAnswer(text, () => `tooluse_local_${++toolUseCounter}`);
        const generation = step.value;
        return toResult(
          answer.content,
          {
            ...generation,
            stopReason:
              generation.stopReason === 'max_tokens'
                ? 'max_tokens'
                : (answer.stopReason ?? generation.stopReason),
          },
          started,
        );
      } catch (error) {
        throw toConverseError(error, call?.signal);
      }
    });
  }

  async function* converseStream(
    request: ConverseInput,
    call?: RuntimeCallOptions,
  ): AsyncGenerator<ConverseStreamEvent> {
    if (offersTools(request.toolConfig)) {
      // A grammar-constrained answer is JSON until it is parsed: generate it whole, then stream it.
      yield* streamEventsOf(await converse(request, call));
      return;
    }
    const started = performance.now();
    // Events are produced under the lock and handed over through a small buffer.
    const events: ConverseStreamEvent[] = [];
    let wake: (() => void) | undefined;
    let finished = false;
    let failure: unknown;
    const controller = new AbortController();
    const onAbort = () => controller.abort(call?.signal?.reason);
    call?.signal?.addEventListener('abort', onAbort, { once: true });
    const push = (event: ConverseStreamEvent) => {
      events.push(event);
      wake?.();
    };
    const producing = exclusive(async () => {
      try {
        const stream = generate(request, controller.signal);
        push({ messageStart: { role: 'assistant' } });
        let step = await stream.next();
        let first = true;
        while (!step.done) {
          const piece = first ? step.value.trimStart() : step.value;
          if (piece !== '') {
            first = false;
            push({ contentBlockDelta: { contentBlockIndex: 0, delta: { text: piece } } });
          }
          step = await stream.next();
        }
        push({ contentBlockStop: { contentBlockIndex: 0 } });
        push({ messageStop: { stopReason: step.value.stopReason } });
        const result = toResult('', step.value, started);
        push({ metadata: { usage: result.usage, metrics: result.metrics } });
      } catch (error) {
        failure = error;
      } finally {
        finished = true;
        wake?.();
      }
    });
    try {
      while (true) {
        const event = events.shift();
        if (event) {
          yield event;
          continue;
        }
        if (finished) break;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
      if (failure !== undefined) throw toConverseError(failure, call?.signal);
    } finally {
      // The consumer stopped early (break, abort): stop generating, then release the lock.
      if (!finished) controller.abort(new Error('stream consumer stopped'));
      call?.signal?.removeEventListener('abort', onAbort);
      await producing;
    }
  }

  return {
    converse,
    converseStream,
    async countTokens(input) {
      const loaded = await ensureLoaded();
      const converse = input.input && 'converse' in input.input ? input.input.converse : undefined;
      const prompt = render(loaded, {
        modelId: '',
        messages: converse?.messages,
        system: converse?.system,
      });
      return promptTokens(loaded, prompt.text).length;
    },
    async load() {
      await ensureLoaded();
    },
    async dispose() {
      if (!loading) return;
      const loaded = await loading;
      loading = undefined;
      await loaded.context.dispose();
      await loaded.model.dispose();
    },
    async renderPrompt(request) {
      return render(await ensureLoaded(), request).text;
    },
  };
}

async function load(modelPath: string, options: LlamaRuntimeOptions) {
  let llamaCpp: LlamaModule;
  try {
    llamaCpp = await import('node-llama-cpp');
  } catch (error) {
    throw new ValidationException(
      'The real local model needs the optional package node-llama-cpp: install it next to @bedrock-converse/local.',
      { cause: error },
    );
  }
  const { availableParallelism } = await import('node:os');
  const { existsSync } = await import('node:fs');
  if (!existsSync(modelPath)) {
    throw new ValidationException(`The local model file "${modelPath}" does not exist.`);
  }
  const llama = await llamaCpp.getLlama({
    gpu: false,
    build: 'never',
    logLevel: llamaCpp.LlamaLogLevel.error,
  });
  const model = await llama.loadModel({ modelPath });
  const threads = options.threads ?? Math.min(2, availableParallelism());
  const trained = model.trainContextSize;
  const context = await model.createContext({
    contextSize: Math.min(options.contextSize ?? 2048, trained > 0 ? trained : 2048),
    threads,
    sequences: 1,
  });
  const sequence = context.getSequence();
  const hasTemplate = typeof model.fileInfo.metadata?.tokenizer?.chat_template === 'string';
  const chatWrapper = hasTemplate ? llamaCpp.resolveChatWrapper(model) : undefined;
  return { llamaCpp, llama, model, context, sequence, chatWrapper };
}

/** The tokens a prompt is evaluated as: BOS (when the model has one), then the text. */
function promptTokens(loaded: Loaded, text: string): Token[] {
  const { model } = loaded;
  return [...(model.tokens.bos === null ? [] : [model.tokens.bos]), ...model.tokenize(text, false)];
}

interface RenderedPrompt {
  text: string;
  /** Stops that end the assistant's turn in this template (not reported as stop_sequence). */
  implicitStops: string[];
}

function render(loaded: Loaded, request: ConverseInput): RenderedPrompt {
  const system = [
    systemText(request.system),
    request.toolConfig && offersTools(request.toolConfig) ? toolsPreamble(request.toolConfig) : '',
  ]
    .filter(Boolean)
    .join('\n\n');
  const messages = request.messages ?? [];
  if (loaded.chatWrapper) {
    const history = [
      ...(system ? [{ type: 'system' as const, text: system }] : []),
      ...messages.map((m) =>
        m.role === 'assistant'
          ? { type: 'model' as const, response: [contentText(m)] }
          : { type: 'user' as const, text: contentText(m) },
      ),
      { type: 'model' as const, response: [] },
    ];
    const state = loaded.chatWrapper.generateContextState({ chatHistory: history });
    return {
      text: state.contextText.toString(),
      implicitStops: state.stopGenerationTriggers.map((t) => t.toString()).filter((t) => t !== ''),
    };
  }
  return { text: plainPrompt(system, messages), implicitStops: [`\n${PLAIN_USER}`] };
}

/** The template for models without a chat template of their own. */
export function plainPrompt(system: string, messages: readonly Message[]): string {
  const lines = system ? [system, ''] : [];
  for (const message of messages) {
    lines.push(
      `${message.role === 'assistant' ? PLAIN_ASSISTANT : PLAIN_USER} ${contentText(message)}`,
    );
  }
  return `${lines.join('\n')}\n${PLAIN_ASSISTANT}`;
}

function systemText(system: readonly SystemContentBlock[] | undefined): string {
  return (system ?? []).map(blockText).filter(Boolean).join('\n');
}

function contentText(message: Message): string {
  return (message.content ?? []).map(promptBlockText).filter(Boolean).join('\n');
}

/** A block as the prompt shows it: tool calls in the grammar's own answer format. */
function promptBlockText(block: ContentBlock): string {
  if (block.toolUse) {
    return JSON.stringify({ type: 'tool', name: block.toolUse.name, input: block.toolUse.input });
  }
  if (block.toolResult) return `Tool result: ${blockText(block)}`;
  return blockText(block);
}

function parses(json: string): boolean {
  try {
    JSON.parse(json);
    return true;
  } catch {
    return false;
  }
}

function earliest(text: string, stops: readonly string[]) {
  let best: { index: number; value: string } | undefined;
  for (const value of stops) {
    if (value === '') continue;
    const index = text.indexOf(value);
    if (index >= 0 && (!best || index < best.index)) best = { index, value };
  }
  return best;
}

/** Length of the longest suffix of `text` that is a proper prefix of some stop sequence. */
function holdBack(text: string, stops: readonly string[]): number {
  let longest = 0;
  for (const stop of stops) {
    for (let n = Math.min(stop.length - 1, text.length); n > longest; n--) {
      if (text.endsWith(stop.slice(0, n))) {
        longest = n;
        break;
      }
    }
  }
  return longest;
}

function toResult(
  answer: string | ContentBlock[],
  generation: Generation,
  started: number,
): ConverseResult {
  const { inputTokens, outputTokens, stopReason } = generation;
  const content = typeof answer === 'string' ? (answer === '' ? [] : [{ text: answer }]) : answer;
  return {
    output: { message: { role: 'assistant', content } },
    stopReason,
    usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens },
    metrics: { latencyMs: Math.round(performance.now() - started) },
  };
}
