// Transition tests of the conversation machine: every effect is a fake swapped in with `provide`,
// and the suite checks that it took every transition the machine declares.
import type { Message } from '@aws-sdk/client-bedrock-runtime';
import { ContextWindowOverflow, ValidationException } from '@bedrock-converse/runtime';
import type { ConversationRecord } from '@bedrock-converse/store';
import { afterAll, describe, expect, it } from 'vitest';
import { type AnyStateNode, createActor, fromPromise, type InspectionEvent } from 'xstate';
import { toDirectedGraph } from 'xstate/graph';
import { ModelRegistry } from '../registry/model-registry.js';
import { buildConverseInput } from '../turns/build-request.js';
import { type ConversationEmitted, conversationMachine } from './conversation-machine.js';
import type {
  CallModelInput,
  CommitTurnInput,
  ConversationTask,
  ModelReply,
  PreparedTurn,
  PrepareTurnInput,
  StreamModelInput,
} from './conversation-types.js';
import type { ToolLoopInput, ToolLoopOutput, toolLoopMachine } from './tool-loop-machine.js';
import { turnEffects } from './turn-effects.js';

const taken = new Set<string>();

function edgeName(source: string, target: string, eventType: string) {
  const kind = eventType === '' ? 'always' : eventType.split('.').slice(0, 2).join('.');
  return `${source} -> ${target} [${kind}]`;
}

/** Every transition the machine declares, from xstate/graph, plus the eventless one it omits. */
function declaredEdges(): string[] {
  const walk = (node: ReturnType<typeof toDirectedGraph>): string[] => [
    ...node.edges.map((e) => edgeName(e.source.key, e.target.key, e.label.text)),
    ...node.children.flatMap(walk),
  ];
  return [
    ...new Set([...walk(toDirectedGraph(conversationMachine)), edgeName('idle', 'preparing', '')]),
  ].sort();
}

function record(messages: ConversationRecord['messages'] = []): ConversationRecord {
  return {
    id: 'c1',
    modelId: 'local.test',
    messages,
    usage: {
      inputTokens: 0,
      outputTokens: 0,
      totalTokens: 0,
      cacheReadInputTokens: 0,
      cacheWriteInputTokens: 0,
    },
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    version: 1,
  };
}

const reply: ModelReply = {
  result: {
    output: { message: { role: 'assistant', content: [{ text: 'hi' }] } },
    stopReason: 'end_turn',
    usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 },
    metrics: { latencyMs: 1 },
  },
  latencyMs: 1,
};

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}
function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A running machine whose three effects are controlled by the test, step by step. */
function harness() {
  const calls = {
    prepare: [] as Deferred<PreparedTurn>[],
    model: [] as Deferred<ModelReply>[],
    commit: [] as Deferred<ConversationRecord>[],
    loop: [] as Deferred<ToolLoopOutput>[],
    quota: [] as Deferred<void>[],
  };
  const quotaSignals: AbortSignal[] = [];
  const loopInputs: ToolLoopInput[] = [];
  const loopSignals: AbortSignal[] = [];
  const inputs = {
    prepare: [] as PrepareTurnInput[],
    model: [] as CallModelInput[],
    stream: [] as StreamModelInput[],
    commit: [] as CommitTurnInput[],
  };
  const emitted: ConversationEmitted[] = [];
  const signals: AbortSignal[] = [];
  const logic = conversationMachine.provide({
    actors: {
      effects: turnEffects({
        prepareTurn: (input) => {
          inputs.prepare.push(input);
          const d = deferred<PreparedTurn>();
          calls.prepare.push(d);
          return d.promise;
        },
        callModel: (input, signal) => {
          inputs.model.push(input);
          signals.push(signal);
          const d = deferred<ModelReply>();
          calls.model.push(d);
          return d.promise;
        },
        streamModel: (input, signal) => {
          inputs.stream.push(input);
          signals.push(signal);
          const d = deferred<ModelReply>();
          calls.model.push(d);
          return d.promise;
        },
        reserveQuota: (_input, signal) => {
          quotaSignals.push(signal);
          const d = deferred<void>();
          calls.quota.push(d);
          return d.promise;
        },
        commitTurn: (input) => {
          inputs.commit.push(input);
          const d = deferred<ConversationRecord>();
          calls.commit.push(d);
          return d.promise;
        },
      }),
      // Any logic with the tool loop's input and output stands in for it.
      toolLoop: fromPromise<ToolLoopOutput, ToolLoopInput>(({ input, signal }) => {
        loopInputs.push(input);
        loopSignals.push(signal);
        const d = deferred<ToolLoopOutput>();
        calls.loop.push(d);
        return d.promise;
      }) as unknown as typeof toolLoopMachine,
    },
  });
  const actor = createActor(logic, {
    input: { conversationId: 'c1' },
    inspect: (event: InspectionEvent) => {
      if (event.type !== '@xstate.microstep' || event.actorRef !== actor) return;
      for (const t of (
        event as unknown as {
          _transitions: Array<{ source: AnyStateNode; target?: AnyStateNode[]; eventType: string }>;
        }
      )._transitions) {
        for (const target of t.target ?? [t.source])
          taken.add(edgeName(t.source.key, target.key, t.eventType));
      }
    },
  });
  actor.on('*', (event) => emitted.push(event as ConversationEmitted));
  actor.start();
  const state = () => actor.getSnapshot().value;
  const flush = () => new Promise((r) => setTimeout(r, 0));
  return {
    actor,
    calls,
    inputs,
    signals,
    loopInputs,
    loopSignals,
    quotaSignals,
    emitted,
    state,
    flush,
  };
}

const send = (taskId: string): ConversationTask => ({
  taskId,
  kind: 'send',
  content: [{ text: `m${taskId}` }],
});
const streamed = (taskId: string): ConversationTask => ({
  taskId,
  kind: 'send',
  content: [{ text: `m${taskId}` }],
  stream: true,
});
const withTools = (taskId: string): ConversationTask => ({
  taskId,
  kind: 'send',
  content: [{ text: `m${taskId}` }],
  stream: true,
  toolLoop: { maxSteps: 3 },
});
const append = (taskId: string): ConversationTask => ({
  taskId,
  kind: 'append',
  role: 'user',
  content: [{ text: 'a' }],
});

describe('conversationMachine', () => {
  it('starts idle with an empty queue', () => {
    const { state, actor } = harness();
    expect(state()).toBe('idle');
    expect(actor.getSnapshot().context).toStrictEqual({
      conversationId: 'c1',
      queue: [],
      task: undefined,
      prepared: undefined,
      reply: undefined,
    });
  });

  it('runs a send: idle → preparing → callingModel → committing → idle, emitting task.done', async () => {
    const h = harness();
    h.actor.send({ type: 'task.submit', task: send('1') });
    expect(h.state()).toBe('preparing');
    expect(h.inputs.prepare).toStrictEqual([{ conversationId: 'c1', task: send('1') }]);

    const prepared: PreparedTurn = {
      record: record(),
      messages: [{ role: 'user', content: [{ text: 'm1' }] }],
      request: { modelId: 'local.test', messages: [] },
    };
    h.calls.prepare[0]!.resolve(prepared);
    await h.flush();
    expect(h.state()).toBe('callingModel');
    expect(h.inputs.model).toStrictEqual([{ request: prepared.request, taskId: '1' }]);

    h.calls.model[0]!.resolve(reply);
    await h.flush();
    expect(h.state()).toBe('committing');
    expect(h.inputs.commit).toStrictEqual([{ prepared, reply }]);

    const committed = { ...record(), version: 2 };
    h.calls.commit[0]!.resolve(committed);
    await h.flush();
    expect(h.state()).toBe('idle');
    expect(h.emitted).toStrictEqual([{ type: 'task.done', taskId: '1', record: committed, reply }]);
    expect(h.actor.getSnapshot().context).toMatchObject({
      task: undefined,
      prepared: undefined,
      reply: undefined,
    });
  });

  it('runs an append without calling the model: preparing → committing', async () => {
    const h = harness();
    h.actor.send({ type: 'task.submit', task: append('1') });
    h.calls.prepare[0]!.resolve({ record: record(), messages: [] });
    await h.flush();
    expect(h.state()).toBe('committing');
    expect(h.calls.model).toHaveLength(0);
    expect(h.inputs.commit[0]!.reply).toBeUndefined();
    h.calls.commit[0]!.resolve(record());
    await h.flush();
    expect(h.emitted.map((e) => e.type)).toStrictEqual(['task.done']);
  });

  it.each(['prepare', 'model', 'commit'] as const)(
    'a failure while %s rolls the turn back and emits task.failed',
    async (step) => {
      const h = harness();
      h.actor.send({ type: 'task.submit', task: send('1') });
      const boom = new Error(`${step} failed`);
      if (step !== 'prepare') {
        h.calls.prepare[0]!.resolve({
          record: record(),
          messages: [],
          request: { modelId: 'm', messages: [] },
        });
        await h.flush();
      }
      if (step === 'commit') {
        h.calls.model[0]!.resolve(reply);
        await h.flush();
      }
      h.calls[step][0]!.reject(boom);
      await h.flush();
      expect(h.state()).toBe('idle');
      expect(h.emitted).toStrictEqual([{ type: 'task.failed', taskId: '1', error: boom }]);
      expect(h.actor.getSnapshot().context).toMatchObject({
        task: undefined,
        prepared: undefined,
        reply: undefined,
        queue: [],
      });
    },
  );

  it('streams a streaming send: preparing → streaming → committing, fallback passed on', async () => {
    const h = harness();
    h.actor.send({ type: 'task.submit', task: streamed('1') });
    const request = { modelId: 'm', messages: [] };
    h.calls.prepare[0]!.resolve({ record: record(), messages: [], request, streamFallback: true });
    await h.flush();
    expect(h.state()).toBe('streaming');
    expect(h.inputs.model).toHaveLength(0);
    expect(h.inputs.stream).toStrictEqual([{ taskId: '1', request, fallback: true }]);
    h.calls.model[0]!.resolve(reply);
    await h.flush();
    expect(h.state()).toBe('committing');
    h.calls.commit[0]!.resolve(record());
    await h.flush();
    expect(h.emitted.map((e) => e.type)).toStrictEqual(['task.done']);
  });

  it.each([
    ['fails', 'turn.failed'],
    ['is cancelled', 'task.cancel'],
  ] as const)('a streaming turn that %s is rolled back', async (_what, how) => {
    const h = harness();
    h.actor.send({ type: 'task.submit', task: streamed('1') });
    h.calls.prepare[0]!.resolve({ record: record(), messages: [], request: { modelId: 'm' } });
    await h.flush();
    expect(h.state()).toBe('streaming');
    const boom = new Error('cut');
    if (how === 'turn.failed') h.calls.model[0]!.reject(boom);
    else h.actor.send({ type: 'task.cancel', taskId: '1', reason: boom });
    await h.flush();
    expect(h.state()).toBe('idle');
    expect(h.emitted).toStrictEqual([{ type: 'task.failed', taskId: '1', error: boom }]);
    expect(h.signals[0]!.aborted).toBe(how === 'task.cancel');
    expect(h.calls.commit).toHaveLength(0);
  });

  it('runs a turn with tools through the tool loop: preparing → usingTools → committing', async () => {
    const h = harness();
    h.actor.send({ type: 'task.submit', task: withTools('1') });
    const request = { modelId: 'm', messages: [] };
    h.calls.prepare[0]!.resolve({ record: record(), messages: [], request });
    await h.flush();
    expect(h.state()).toBe('usingTools');
    expect(h.loopInputs).toStrictEqual([
      { taskId: '1', request, stream: true, fallback: false, maxSteps: 3, shrinkable: undefined },
    ]);
    const loopReply = { ...reply, messages: [], toolCalls: [], steps: 2 };
    h.calls.loop[0]!.resolve({ ok: true, reply: loopReply });
    await h.flush();
    expect(h.state()).toBe('committing');
    expect(h.inputs.commit[0]!.reply).toBe(loopReply);
    h.calls.commit[0]!.resolve(record());
    await h.flush();
    expect(h.emitted.map((e) => e.type)).toStrictEqual(['task.done']);
  });

  it.each(['fails', 'errors', 'is cancelled'] as const)(
    'a tool turn whose loop %s is rolled back',
    async (how) => {
      const h = harness();
      h.actor.send({ type: 'task.submit', task: withTools('1') });
      h.calls.prepare[0]!.resolve({ record: record(), messages: [], request: { modelId: 'm' } });
      await h.flush();
      const boom = new Error('loop');
      if (how === 'fails') h.calls.loop[0]!.resolve({ ok: false, error: boom });
      else if (how === 'errors') h.calls.loop[0]!.reject(boom);
      else h.actor.send({ type: 'task.cancel', taskId: '1', reason: boom });
      await h.flush();
      expect(h.state()).toBe('idle');
      expect(h.emitted).toStrictEqual([{ type: 'task.failed', taskId: '1', error: boom }]);
      // Cancelling stops the loop, which aborts what it was doing.
      expect(h.loopSignals[0]!.aborted).toBe(how === 'is cancelled');
      expect(h.calls.commit).toHaveLength(0);
    },
  );

  it.each([
    ['callingModel', send],
    ['streaming', streamed],
  ] as const)(
    'in %s, a request too long for the model is shrunk and sent again, until nothing more can go',
    async (state, task) => {
      const h = harness();
      h.actor.send({ type: 'task.submit', task: task('1') });
      const messages: Message[] = [
        { role: 'user', content: [{ text: 'old question' }] },
        { role: 'assistant', content: [{ text: 'old answer' }] },
        { role: 'user', content: [{ text: 'newest' }] },
      ];
      const requestParts = { modelInfo: new ModelRegistry().resolve('local.test'), messages };
      h.calls.prepare[0]!.resolve({
        record: record(messages.slice(0, 2)),
        messages,
        request: buildConverseInput(requestParts),
        requestParts,
      });
      await h.flush();
      const sent = () => (state === 'streaming' ? h.inputs.stream : h.inputs.model);
      const tooLong = new ValidationException('Input is too long for requested model.');
      h.calls.model[0]!.reject(tooLong);
      await h.flush();
      // Sent again without the oldest exchange.
      expect(h.state()).toBe(state);
      expect(sent().map((i) => i.request.messages!.length)).toStrictEqual([3, 1]);
      expect(h.actor.getSnapshot().context.prepared!.sentIndices).toStrictEqual([2]);
      h.calls.model[1]!.reject(tooLong);
      await h.flush();
      expect(h.state()).toBe('idle');
      const failure = h.emitted[0] as { error: Error };
      expect(failure.error).toBeInstanceOf(ContextWindowOverflow);
      expect(failure.error.cause).toBe(tooLong);
    },
  );

  it.each([
    ['callingModel', false],
    ['streaming', true],
  ] as const)('waits for quota before the model call, then goes on to %s', async (next, stream) => {
    const h = harness();
    h.actor.send({
      type: 'task.submit',
      task: {
        ...(stream ? streamed('1') : send('1')),
        quota: { priority: 'batch' },
      } as ConversationTask,
    });
    h.calls.prepare[0]!.resolve({ record: record(), messages: [], request: { modelId: 'm' } });
    await h.flush();
    expect(h.state()).toBe('waitingForQuota');
    expect(h.calls.model).toHaveLength(0);
    h.calls.quota[0]!.resolve();
    await h.flush();
    expect(h.state()).toBe(next);
    expect(h.calls.model).toHaveLength(1);
  });

  it.each(['fails', 'is cancelled'] as const)(
    'a turn whose quota wait %s is rolled back, and the wait is aborted',
    async (how) => {
      const h = harness();
      h.actor.send({ type: 'task.submit', task: { ...send('1'), quota: {} } as ConversationTask });
      h.calls.prepare[0]!.resolve({ record: record(), messages: [], request: { modelId: 'm' } });
      await h.flush();
      const boom = new Error('queue full');
      if (how === 'fails') h.calls.quota[0]!.reject(boom);
      else h.actor.send({ type: 'task.cancel', taskId: '1', reason: boom });
      await h.flush();
      expect(h.state()).toBe('idle');
      expect(h.emitted).toStrictEqual([{ type: 'task.failed', taskId: '1', error: boom }]);
      expect(h.quotaSignals[0]!.aborted).toBe(how === 'is cancelled');
      expect(h.calls.model).toHaveLength(0);
    },
  );

  it('queues tasks that arrive while a turn runs and takes them in call order', async () => {
    const h = harness();
    h.actor.send({ type: 'task.submit', task: send('1') });
    h.actor.send({ type: 'task.submit', task: send('2') });
    h.actor.send({ type: 'task.submit', task: append('3') });
    expect(h.actor.getSnapshot().context.queue.map((t) => t.taskId)).toStrictEqual(['2', '3']);
    expect(h.inputs.prepare).toHaveLength(1);

    h.calls.prepare[0]!.reject(new Error('x'));
    await h.flush();
    // The failure of task 1 does not drop task 2: the machine goes straight on to it.
    expect(h.state()).toBe('preparing');
    expect(h.inputs.prepare.map((i) => i.task.taskId)).toStrictEqual(['1', '2']);
    expect(h.actor.getSnapshot().context.queue.map((t) => t.taskId)).toStrictEqual(['3']);
  });

  it('drops a queued task on task.cancel and reports it failed with an AbortError', async () => {
    const h = harness();
    h.actor.send({ type: 'task.submit', task: send('1') });
    h.actor.send({ type: 'task.submit', task: send('2') });
    h.actor.send({ type: 'task.submit', task: send('3') });
    h.actor.send({ type: 'task.cancel', taskId: '2' });
    expect(h.actor.getSnapshot().context.queue.map((t) => t.taskId)).toStrictEqual(['3']);
    expect(h.emitted).toHaveLength(1);
    expect(h.emitted[0]).toMatchObject({ type: 'task.failed', taskId: '2' });
    expect((h.emitted[0] as { error: Error }).error.name).toBe('AbortError');
    // The current task is untouched.
    expect(h.state()).toBe('preparing');
  });

  it('cancels the current task while preparing: rolled back, late results ignored', async () => {
    const h = harness();
    h.actor.send({ type: 'task.submit', task: send('1') });
    h.actor.send({ type: 'task.submit', task: send('2') });
    const reason = new Error('stop');
    h.actor.send({ type: 'task.cancel', taskId: '1', reason });
    expect(h.emitted).toStrictEqual([{ type: 'task.failed', taskId: '1', error: reason }]);
    // Task 2 went on at once; the cancelled prepare finishing late changes nothing.
    expect(h.state()).toBe('preparing');
    h.calls.prepare[0]!.resolve({ record: record(), messages: [], request: { modelId: 'm' } });
    await h.flush();
    expect(h.state()).toBe('preparing');
    expect(h.actor.getSnapshot().context.task?.taskId).toBe('2');
    expect(h.actor.getSnapshot().context.prepared).toBeUndefined();
  });

  it('cancels the current task while calling the model: the call is aborted, turn rolled back', async () => {
    const h = harness();
    h.actor.send({ type: 'task.submit', task: send('1') });
    h.calls.prepare[0]!.resolve({ record: record(), messages: [], request: { modelId: 'm' } });
    await h.flush();
    expect(h.state()).toBe('callingModel');
    expect(h.signals[0]!.aborted).toBe(false);
    h.actor.send({ type: 'task.cancel', taskId: '1' });
    expect(h.state()).toBe('idle');
    await h.flush();
    expect(h.signals[0]!.aborted).toBe(true);
    expect((h.signals[0]!.reason as Error).name).toBe('AbortError');
    expect(h.emitted.map((e) => e.type)).toStrictEqual(['task.failed']);
    // The aborted call's rejection arrives late and is ignored.
    h.calls.model[0]!.reject(new Error('aborted'));
    await h.flush();
    expect(h.emitted).toHaveLength(1);
    expect(h.calls.commit).toHaveLength(0);

    // The next task's call gets a live signal, which a late cancel of the old task cannot abort.
    h.actor.send({ type: 'task.submit', task: send('2') });
    h.calls.prepare[1]!.resolve({ record: record(), messages: [], request: { modelId: 'm' } });
    await h.flush();
    expect(h.state()).toBe('callingModel');
    h.actor.send({ type: 'task.cancel', taskId: '1' });
    await h.flush();
    expect(h.signals[1]!.aborted).toBe(false);
    h.calls.model[1]!.resolve(reply);
    await h.flush();
    h.calls.commit[0]!.resolve(record());
    await h.flush();
    expect(h.emitted.map((e) => e.type)).toStrictEqual(['task.failed', 'task.done']);
  });

  it('lets a turn that is committing finish even when cancelled', async () => {
    const h = harness();
    h.actor.send({ type: 'task.submit', task: send('1') });
    h.calls.prepare[0]!.resolve({ record: record(), messages: [], request: { modelId: 'm' } });
    await h.flush();
    h.calls.model[0]!.resolve(reply);
    await h.flush();
    h.actor.send({ type: 'task.cancel', taskId: '1' });
    expect(h.state()).toBe('committing');
    h.calls.commit[0]!.resolve(record());
    await h.flush();
    expect(h.emitted.map((e) => e.type)).toStrictEqual(['task.done']);
  });

  it('aborts a model call in flight when the actor stops', async () => {
    const h = harness();
    h.actor.send({ type: 'task.submit', task: send('1') });
    h.calls.prepare[0]!.resolve({ record: record(), messages: [], request: { modelId: 'm' } });
    await h.flush();
    h.actor.stop();
    expect(h.signals[0]!.aborted).toBe(true);
  });

  it('names an effect that was not provided in the error', async () => {
    const actor = createActor(conversationMachine, { input: { conversationId: 'c1' } });
    const failures: unknown[] = [];
    actor.on('task.failed', (e) => failures.push(e.error));
    actor.start();
    actor.send({ type: 'task.submit', task: send('1') });
    await new Promise((r) => setTimeout(r, 0));
    expect(String(failures[0])).toContain('The effect "prepareTurn" was not provided');
  });
});

afterAll(() => {
  // Every declared transition was taken by the tests above.
  expect([...taken].filter((e) => !e.startsWith('conversation ->')).sort()).toStrictEqual(
    declaredEdges().filter((e) => !e.startsWith('conversation ->')),
  );
});
