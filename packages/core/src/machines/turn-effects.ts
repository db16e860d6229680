import { fromCallback } from 'xstate';
import type { EffectCommand, EffectEvent, ModelReply, TurnEffects } from './conversation-types.js';

/**
 * The conversation machine's one long-lived child: it runs the machine's effect commands and sends
 * each outcome back as an event tagged with its task. One actor per conversation rather than one
 * invoked actor per state: a turn then costs three events instead of three actors (each with its
 * own snapshot, scope and AbortController), about four times less machinery per turn
 * (docs/benchmarks.md), with the same states in the inspector.
 */
export function turnEffects(effects: TurnEffects) {
  return fromCallback<EffectCommand>(({ sendBack, receive }) => {
    const report = (event: EffectEvent) => sendBack(event);
    /**
     * The AbortController of the work in flight, shared by the task's model calls and quota waits
     * and replaced once it has aborted. A conversation runs one task at a time, so sharing it costs
     * nothing; making a new one per call would: Node 20 builds each AbortSignal slowly (a few µs,
     * more with cold caches, on every turn; docs/benchmarks.md).
     */
    let controller: AbortController | undefined;
    /** The task whose work the controller serves: an `abort` for any other task is late news. */
    let controllerTask: string | undefined;

    const run = <T>(taskId: string, work: () => Promise<T>, done: (output: T) => EffectEvent) => {
      let promise: Promise<T>;
      try {
        promise = work();
      } catch (error) {
        promise = Promise.reject(error);
      }
      promise.then(
        (output) => report(done(output)),
        (error: unknown) => report({ type: 'turn.failed', taskId, error }),
      );
    };

    /** Work that an `abort` command for its task cancels until the task ends. */
    const abortable = <T>(
      taskId: string,
      work: (signal: AbortSignal) => Promise<T>,
      done: (output: T) => EffectEvent,
    ) => {
      if (!controller || controller.signal.aborted) controller = new AbortController();
      controllerTask = taskId;
      const { signal } = controller;
      run(taskId, () => work(signal), done);
    };
    const askModel = (taskId: string, work: (signal: AbortSignal) => Promise<ModelReply>) =>
      abortable(taskId, work, (output) => ({ type: 'turn.replied', taskId, output }));

    receive((command) => {
      const { taskId } = command;
      switch (command.type) {
        case 'prepareTurn':
          run(
            taskId,
            () =>
              effects.prepareTurn({ conversationId: command.conversationId, task: command.task }),
            (output) => ({ type: 'turn.prepared', taskId, output }),
          );
          return;
        case 'callModel':
          askModel(taskId, (signal) =>
            effects.callModel({ request: command.request, taskId }, signal),
          );
          return;
        case 'streamModel':
          askModel(taskId, (signal) =>
            effects.streamModel(
              { taskId, request: command.request, fallback: command.fallback },
              signal,
            ),
          );
          return;
        case 'reserveQuota':
          abortable(
            taskId,
            async (signal) => {
              await effects.reserveQuota?.({ taskId, request: command.request }, signal);
            },
            () => ({ type: 'turn.quotaGranted', taskId }),
          );
          return;
        case 'commitTurn':
          run(
            taskId,
            () => effects.commitTurn({ prepared: command.prepared, reply: command.reply }),
            (output) => ({ type: 'turn.committed', taskId, output }),
          );
          return;
        case 'abort':
          if (taskId === controllerTask) controller?.abort(command.reason);
          return;
      }
    });

    return () => controller?.abort();
  });
}

/** The machine's default effects: each fails, naming what to provide. */
export const effectsNotProvided: TurnEffects = {
  prepareTurn: notProvided('prepareTurn'),
  callModel: notProvided('callModel'),
  streamModel: notProvided('streamModel'),
  commitTurn: notProvided('commitTurn'),
};

function notProvided(name: keyof TurnEffects) {
  return async (): Promise<never> => {
    throw new Error(
      `The effect "${name}" was not provided: use machine.provide({ actors: { effects: turnEffects({ ${name}, ... }) } }).`,
    );
  };
}
