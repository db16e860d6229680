import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTool } from './define-tool.js';
import { runToolCalls, toResultContent } from './run-tool-calls.js';
import { Toolset } from './toolset.js';

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      reject(signal.reason);
    });
  });

const tools = new Toolset([
  defineTool({
    name: 'add',
    description: 'Adds.',
    input: z.object({ a: z.number(), b: z.number() }),
    run: ({ a, b }) => ({ sum: a + b }),
  }),
  defineTool({
    name: 'slow',
    description: 'Takes a while.',
    input: z.object({ ms: z.number() }),
    run: async ({ ms }, { signal }) => {
      await sleep(ms, signal);
      return 'done';
    },
  }),
  defineTool({
    name: 'boom',
    description: 'Always fails.',
    input: z.object({}),
    run: () => {
      throw new Error('the sensor is offline');
    },
  }),
  defineTool({
    name: 'hang',
    description: 'Never answers.',
    input: z.object({}),
    timeoutMs: 20,
    run: () => new Promise(() => {}),
  }),
]);

const use = (name: string, input: unknown, toolUseId = `id_${name}`) => ({
  toolUseId,
  name,
  input: input as never,
});

describe('runToolCalls', () => {
  it('runs a call and sends its output back as a success result', async () => {
    const [call] = await runToolCalls(tools, [use('add', { a: 2, b: 3 })]);
    expect(call).toMatchObject({ name: 'add', output: { sum: 5 } });
    expect(call!.result).toStrictEqual({
      toolUseId: 'id_add',
      status: 'success',
      content: [{ json: { sum: 5 } }],
    });
  });

  it.each([
    ['an unknown tool', use('nope', {}), /no tool named "nope".*add, slow, boom, hang/],
    ['invalid input', use('add', { a: 'two' }), /Invalid input for tool "add": .*a/s],
    ['a thrown error', use('boom', {}), /Tool "boom" failed: the sensor is offline/],
    ['a timeout', use('hang', {}), /Tool "hang" did not finish within 20 ms/],
  ])('turns %s into an error result with a useful message', async (_what, toolUse, message) => {
    const [call] = await runToolCalls(tools, [toolUse]);
    expect(call!.error).toMatch(message);
    expect(call!.result.status).toBe('error');
    expect(call!.result.content).toStrictEqual([{ text: call!.error }]);
  });

  it('runs the calls of one message in parallel, results in request order', async () => {
    const log: string[] = [];
    const tracked = new Toolset([
      defineTool({
        name: 'step',
        description: 'Logs its start and end.',
        input: z.object({ id: z.string() }),
        run: async ({ id }) => {
          log.push(`start ${id}`);
          await sleep(20);
          log.push(`end ${id}`);
          return id;
        },
      }),
    ]);
    const calls = await runToolCalls(tracked, [
      use('step', { id: 'a' }, 'a'),
      use('step', { id: 'b' }, 'b'),
      use('step', { id: 'c' }, 'c'),
    ]);
    expect(calls.map((c) => c.toolUseId)).toStrictEqual(['a', 'b', 'c']);
    // All three were running before any finished.
    expect(log.slice(0, 3)).toStrictEqual(['start a', 'start b', 'start c']);
  });

  it('rejects when the turn is cancelled, and aborts the tools', async () => {
    const controller = new AbortController();
    const running = runToolCalls(tools, [use('slow', { ms: 5000 })], {
      signal: controller.signal,
    });
    controller.abort(new Error('cancelled'));
    await expect(running).rejects.toThrow('cancelled');
  });
});

describe('toResultContent', () => {
  it('is text for strings, JSON for objects, wrapped JSON otherwise, never empty', () => {
    expect(toResultContent('hi')).toStrictEqual([{ text: 'hi' }]);
    expect(toResultContent('')).toStrictEqual([{ text: '(empty)' }]);
    expect(toResultContent(undefined)).toStrictEqual([{ text: '(no output)' }]);
    expect(toResultContent({ a: 1 })).toStrictEqual([{ json: { a: 1 } }]);
    expect(toResultContent([1, 2])).toStrictEqual([{ json: { result: [1, 2] } }]);
    expect(toResultContent(4)).toStrictEqual([{ json: { result: 4 } }]);
  });
});

describe('Toolset', () => {
  it('builds toolConfig with each toolChoice form and refuses unknown or duplicate names', () => {
    expect(tools.toolConfig().tools).toHaveLength(4);
    expect(tools.toolConfig('auto').toolChoice).toStrictEqual({ auto: {} });
    expect(tools.toolConfig('any').toolChoice).toStrictEqual({ any: {} });
    expect(tools.toolConfig({ tool: 'add' }).toolChoice).toStrictEqual({ tool: { name: 'add' } });
    expect(() => tools.toolConfig({ tool: 'nope' })).toThrow(/not one of the tools/);
    expect(() => new Toolset([tools.get('add')!, tools.get('add')!])).toThrow(/Two tools/);
  });
});
