// Transition tests of the tool-loop machine: the model and the tools are fakes swapped in with
// `provide`, and the suite checks that it took every transition the machine declares.
import {
  ContextWindowOverflow,
  type ConverseResult,
  ValidationException,
} from '@bedrock-converse/runtime';
import type { ToolCall } from '@bedrock-converse/tools';
import { afterAll, describe, expect, it } from 'vitest';
import { type AnyStateNode, createActor, fromPromise, type InspectionEvent } from 'xstate';
import { toDirectedGraph } from 'xstate/graph';
import { ModelRegistry } from '../registry/model-registry.js';
import type { ModelReply } from './conversation-types.js';
import {
  type ModelStepInput,
  type ToolLoopInput,
  type ToolLoopOutput,
  type ToolStepInput,
  toolLoopMachine,
} from './tool-loop-machine.js';

const taken = new Set<string>();
const edge = (source: string, target: string, eventType: string) =>
  `${source} -> ${target} [${eventType === '' ? 'always' : eventType.split('.').slice(0, 3).join('.')}]`;

function declaredEdges(): string[] {
  const graph = toDirectedGraph(toolLoopMachine);
  const edges = graph.children.flatMap((node) =>
    node.edges.map((e) => edge(e.source.key, e.target.key, e.label.text)),
  );
  // xstate/graph leaves out eventless transitions: list the `always` ones from the machine itself.
  for (const state of Object.values(toolLoopMachine.root.states)) {
    for (const t of state.always ?? []) {
      for (const target of t.target ?? []) edges.push(edge(state.key, target.key, ''));
    }
  }
  return [...new Set(edges)].sort();
}

const toolUse = (id: string, name = 'lookup') => ({ toolUse: { toolUseId: id, name, input: {} } });
function answer(
  stopReason: ConverseResult['stopReason'],
  content: NonNullable<NonNullable<ConverseResult['output']>['message']>['content'],
  tokens = 1,
): ModelReply {
  return {
    result: {
      output: { message: { role: 'assistant', content } },
      stopReason,
      usage: { inputTokens: tokens, outputTokens: tokens, totalTokens: 2 * tokens },
      metrics: { latencyMs: 1 },
    },
    latencyMs: 2,
  };
}
const call = (toolUseId: string): ToolCall => ({
  toolUseId,
  name: 'lookup',
  input: {},
  output: 'ok',
  durationMs: 1,
  result: { toolUseId, status: 'success', content: [{ text: 'ok' }] },
});

/** Runs the loop with scripted model replies and tool results (a function may throw). */
async function runLoop(
  replies: Array<ModelReply | Error>,
  options: {
    maxSteps?: number;
    tools?: (input: ToolStepInput) => ToolCall[];
    shrinkable?: ToolLoopInput['shrinkable'];
  } = {},
) {
  const modelInputs: ModelStepInput[] = [];
  const toolInputs: ToolStepInput[] = [];
  const logic = toolLoopMachine.provide({
    actors: {
      callModel: fromPromise<ModelReply, ModelStepInput>(async ({ input }) => {
        modelInputs.push(input);
        const next = replies.shift();
        if (!next || next instanceof Error) throw next ?? new Error('no reply scripted');
        return next;
      }),
      runTools: fromPromise<ToolCall[], ToolStepInput>(async ({ input }) => {
        toolInputs.push(input);
        return options.tools ? options.tools(input) : input.toolUses.map((u) => call(u.toolUseId!));
      }),
    },
  });
  const actor = createActor(logic, {
    input: {
      taskId: 't1',
      request: { modelId: 'm', messages: [{ role: 'user', content: [{ text: 'q' }] }] },
      stream: false,
      fallback: false,
      maxSteps: options.maxSteps ?? 5,
      shrinkable: options.shrinkable,
    },
    inspect: (event: InspectionEvent) => {
      if (event.type !== '@xstate.microstep' || event.actorRef !== actor) return;
      const transitions = (
        event as unknown as {
          _transitions: Array<{ source: AnyStateNode; target?: AnyStateNode[]; eventType: string }>;
        }
      )._transitions;
      for (const t of transitions) {
        for (const target of t.target ?? [t.source]) {
          taken.add(edge(t.source.key, target.key, t.eventType));
        }
      }
    },
  });
  const output = new Promise<ToolLoopOutput>((resolve) =>
    actor.subscribe((s) => {
      if (s.status === 'done') resolve(s.output!);
    }),
  );
  actor.start();
  return { output: await output, modelInputs, toolInputs, state: actor.getSnapshot().value };
}

describe('toolLoopMachine', () => {
  it('answers at once when the model uses no tool: callingModel → deciding → done', async () => {
    const run = await runLoop([answer('end_turn', [{ text: 'hi' }])]);
    expect(run.state).toBe('done');
    expect(run.output.ok).toBe(true);
    const reply = (run.output as Extract<ToolLoopOutput, { ok: true }>).reply;
    expect(reply.messages).toStrictEqual([{ role: 'assistant', content: [{ text: 'hi' }] }]);
    expect(reply.steps).toBe(1);
    expect(run.toolInputs).toHaveLength(0);
  });

  it('runs tools and calls the model again with the results, summing usage', async () => {
    const run = await runLoop([
      answer('tool_use', [{ text: 'Looking.' }, toolUse('a'), toolUse('b')], 1),
      answer('tool_use', [toolUse('c')], 10),
      answer('end_turn', [{ text: 'Done.' }], 100),
    ]);
    expect(run.output.ok).toBe(true);
    const reply = (run.output as Extract<ToolLoopOutput, { ok: true }>).reply;
    expect(reply.messages!.map((m) => m.role)).toStrictEqual([
      'assistant',
      'user',
      'assistant',
      'user',
      'assistant',
    ]);
    expect(reply.messages![1]!.content).toStrictEqual([
      { toolResult: call('a').result },
      { toolResult: call('b').result },
    ]);
    expect(reply.toolCalls!.map((c) => c.toolUseId)).toStrictEqual(['a', 'b', 'c']);
    expect(reply.result.usage).toStrictEqual({
      inputTokens: 111,
      outputTokens: 111,
      totalTokens: 222,
    });
    expect(reply.steps).toBe(3);
    // Each model call sees the whole exchange so far.
    expect(run.modelInputs.map((i) => i.request.messages!.length)).toStrictEqual([1, 3, 5]);
    expect(run.toolInputs[0]!.toolUses.map((u) => u.toolUseId)).toStrictEqual(['a', 'b']);
  });

  it('fails with MaxStepsExceeded when the model still wants tools at the step limit', async () => {
    const run = await runLoop(
      [answer('tool_use', [toolUse('a')]), answer('tool_use', [toolUse('b')])],
      { maxSteps: 2 },
    );
    expect(run.state).toBe('failed');
    expect(run.output.ok).toBe(false);
    expect((run.output as { error: Error }).error.name).toBe('MaxStepsExceeded');
    expect(run.toolInputs).toHaveLength(1);
  });

  it('never runs a tool call cut by max_tokens: MaxTokensReached', async () => {
    const run = await runLoop([answer('max_tokens', [{ text: 'Let me' }, toolUse('a')])]);
    expect(run.state).toBe('failed');
    expect((run.output as { error: Error }).error.name).toBe('MaxTokensReached');
    expect(run.toolInputs).toHaveLength(0);
  });

  it('shrinks a request too long for the model and calls again; fails when nothing more can go', async () => {
    const tooLong = new ValidationException('Input is too long for requested model.');
    const messages = [
      { role: 'user' as const, content: [{ text: 'old' }] },
      { role: 'assistant' as const, content: [{ text: 'old answer' }] },
      { role: 'user' as const, content: [{ text: 'q' }] },
    ];
    const shrinkable = {
      parts: { modelInfo: new ModelRegistry().resolve('local.test'), messages },
      indices: [0, 1, 2],
      pinned: [],
    };
    const recovered = await runLoop([tooLong, answer('end_turn', [{ text: 'fits' }])], {
      shrinkable,
    });
    expect(recovered.output).toMatchObject({ ok: true });
    expect(recovered.modelInputs[1]!.request.messages).toStrictEqual([messages[2]]);

    const run = await runLoop([tooLong, tooLong], { shrinkable });
    expect(run.state).toBe('failed');
    expect((run.output as { error: Error }).error).toBeInstanceOf(ContextWindowOverflow);
    expect(run.modelInputs).toHaveLength(2);
  });

  it('fails when the model call fails', async () => {
    const boom = new Error('throttled');
    const run = await runLoop([boom]);
    expect(run.output).toStrictEqual({ ok: false, error: boom });
  });

  it('fails when running the tools fails (the turn was cancelled)', async () => {
    const cancelled = new Error('cancelled');
    const run = await runLoop([answer('tool_use', [toolUse('a')])], {
      tools: () => {
        throw cancelled;
      },
    });
    expect(run.output).toStrictEqual({ ok: false, error: cancelled });
  });
});

afterAll(() => {
  expect([...taken].sort()).toStrictEqual(declaredEdges());
});
