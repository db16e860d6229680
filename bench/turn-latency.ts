// Per-turn latency that ConverseClient adds over a raw ConverseCommand, both through the real AWS
// SDK client (default HTTP/2 handler) against the same local server with the scripted model.
//
// Three more paths split that overhead: the same turn's work (store read, request, model call, store
// write) as plain awaits; that work with one event per step sent to a trivial XState machine (the
// floor of any state machine here); and that work run by the conversation machine's actor. Client
// minus machine is ConverseClient's own bookkeeping; machine minus work is the state machine; work
// minus raw is the work itself.
import {
  BedrockRuntimeClient,
  ConverseCommand,
  type Message,
} from '@aws-sdk/client-bedrock-runtime';
import {
  appendMessage,
  buildConverseInput,
  type ConversationEmitted,
  ConverseClient,
  conversationMachine,
  ModelRegistry,
  type PreparedTurn,
  type PrepareTurnInput,
  turnEffects,
} from '@bedrock-converse/core';
import { scriptedRuntime, startServer } from '@bedrock-converse/local';
import { bedrockRuntime, replyMessage } from '@bedrock-converse/runtime';
import { emptyUsage, MemoryConversationStore } from '@bedrock-converse/store';
import { type Actor, createActor, setup } from 'xstate';
import { machine, median, pairedRuns, quantile } from './report.js';

const TURNS_PER_CONVERSATION = 5;
const MODEL_ID = 'local.bench';

export async function turnLatency({ turns }: { turns: number }): Promise<string> {
  const server = await startServer({
    runtime: scriptedRuntime({ respond: () => 'A short scripted reply.' }),
  });
  const raw = new BedrockRuntimeClient({ ...server.clientConfig, maxAttempts: 1 });
  const runtime = bedrockRuntime(server.clientConfig);
  const client = new ConverseClient({ modelId: MODEL_ID, runtime });

  // The turn's work, as plain functions over the public pieces.
  const store = new MemoryConversationStore();
  const registry = new ModelRegistry();
  const controller = new AbortController();
  const prepare = async ({ conversationId, task }: PrepareTurnInput): Promise<PreparedTurn> => {
    const record = (await store.get(conversationId))!;
    const messages = appendMessage(record.messages, { role: 'user', content: task.content });
    const request = buildConverseInput({ modelInfo: registry.resolve(MODEL_ID), messages });
    return { record, messages, request };
  };
  const callModel = async (request: PreparedTurn['request'], signal: AbortSignal) => {
    const started = performance.now();
    const result = await runtime.converse(request!, { signal });
    return { result, latencyMs: performance.now() - started };
  };
  const commit = async (prepared: PreparedTurn, reply: Awaited<ReturnType<typeof callModel>>) =>
    store.put({
      ...prepared.record,
      messages: [...prepared.messages, replyMessage(reply.result)!],
      updatedAt: new Date().toISOString(),
    });
  const machineLogic = conversationMachine.provide({
    actors: {
      effects: turnEffects({
        prepareTurn: prepare,
        callModel: ({ request }, signal) => callModel(request, signal),
        streamModel: () => Promise.reject(new Error('not used')),
        commitTurn: ({ prepared, reply }) => commit(prepared, reply!),
      }),
    },
  });

  // The floor of any machine: a two-state machine that does nothing, sent one event per step.
  const toggle = createActor(
    setup({}).createMachine({
      initial: 'a',
      states: { a: { on: { step: 'b' } }, b: { on: { step: 'a' } } },
    }),
  ).start();

  let conversationId = '';
  let bareId = '';
  let actor: Actor<typeof machineLogic> | undefined;
  let nextTask = 0;
  let history: Message[] = [];
  const newBareConversation = async () => {
    const now = new Date().toISOString();
    const id = `bare-${nextTask++}`;
    await store.create({
      id,
      modelId: MODEL_ID,
      messages: [],
      usage: emptyUsage(),
      createdAt: now,
      updatedAt: now,
    });
    return id;
  };

  const timed = async (turn: () => Promise<unknown>) => {
    const started = performance.now();
    await turn();
    return performance.now() - started;
  };
  // The raw side sends exactly what ConverseClient sends: the same history, grown the same way.
  const rawTurn = async (text: string) => {
    const messages: Message[] = [...history, { role: 'user', content: [{ text }] }];
    const started = performance.now();
    const result = await raw.send(new ConverseCommand({ modelId: MODEL_ID, messages }));
    const elapsed = performance.now() - started;
    history = [...messages, result.output!.message!];
    return elapsed;
  };
  /** The work as plain awaits; `step` runs before each part and after the last. */
  const workTurn = (text: string, step = () => {}) =>
    timed(async () => {
      step();
      const prepared = await prepare({
        conversationId: bareId,
        task: { taskId: '', kind: 'send', content: [{ text }] },
      });
      step();
      const reply = await callModel(prepared.request, controller.signal);
      step();
      await commit(prepared, reply);
      step();
    });
  const toggleStep = () => toggle.send({ type: 'step' });
  const machineTurn = (text: string) =>
    timed(
      () =>
        new Promise<void>((resolve, reject) => {
          const taskId = String(nextTask++);
          const done = (event: ConversationEmitted) => {
            if (event.taskId !== taskId) return;
            for (const subscription of subscriptions) subscription.unsubscribe();
            if (event.type === 'task.done') resolve();
            else reject(event.error);
          };
          const subscriptions = [actor!.on('task.done', done), actor!.on('task.failed', done)];
          actor!.send({
            type: 'task.submit',
            task: { taskId, kind: 'send', content: [{ text }] },
          });
        }),
    );

  const text = (i: number) => `Message number ${i} of the benchmark.`;
  const warmup = 100;
  const times = await pairedRuns({
    warmup,
    runs: turns,
    before: async (i) => {
      if (i % TURNS_PER_CONVERSATION === 0) {
        conversationId = await client.createConversation();
        history = [];
        bareId = await newBareConversation();
        actor?.stop();
        actor = createActor(machineLogic, {
          input: { conversationId: await newBareConversation() },
        }).start();
      }
    },
    paths: {
      raw: (i) => rawTurn(text(i)),
      work: (i) => workTurn(text(i)),
      workWithEvents: (i) => workTurn(text(i), toggleStep),
      machine: (i) => machineTurn(text(i)),
      client: (i) => timed(() => client.sendMessage({ conversationId, message: text(i) })),
    },
  });
  actor?.stop();
  toggle.stop();
  await server.close();
  raw.destroy();

  const rawMedian = median(times.raw);
  const fmt = (ms: number) => ms.toFixed(3);
  const row = (path: string, values: number[]) =>
    `| ${path} | ${fmt(median(values))} | ${fmt(quantile(values, 0.9))} | ${(median(values) / rawMedian).toFixed(3)} | ${((median(values) - rawMedian) * 1000).toFixed(0)} |`;
  const clientMedian = median(times.client);
  return [
    `Turn latency, median of ${turns} turns (after ${warmup} warm-up), conversations of ${TURNS_PER_CONVERSATION} turns, HTTP/2, scripted model. ${machine()}.`,
    '',
    '| path | median ms | p90 ms | ratio to raw | added µs |',
    '|---|---:|---:|---:|---:|',
    row('raw `ConverseCommand`', times.raw),
    row("the turn's work as plain awaits (store read, request, call, store write)", times.work),
    row('that work plus 4 events to a two-state machine that does nothing', times.workWithEvents),
    row('that work run by the conversation machine (`conversationMachine` actor)', times.machine),
    row('`ConverseClient.sendMessage`', times.client),
    '',
    `**Ratio (client / raw, medians): ${(clientMedian / rawMedian).toFixed(3)}** (target ≤ 1.05); added per turn: ${fmt(clientMedian - rawMedian)} ms.`,
  ].join('\n');
}
