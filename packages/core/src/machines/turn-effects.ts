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
    /** Model calls and quota waits in flight, by task, so a cancel or a stop can abort them. */
    const calls = new Map<string, AbortController>();

    const run = <T>(
      taskId: string,
      work: () => Promise<T>,
      done: (output: T) => EffectEvent,
      settled?: () => void,
    ) => {
      let promise: Promise<T>;
      try {
        promise = work();
      } catch (error) {
        promise = Promise.reject(error);
      }
      promise.then(
        (output) => {
          settled?.();
          report(done(output));
        },
        (error: unknown) => {
          settled?.();
          report({ type: 'turn.failed', taskId, error });
        },
      );
    };

    /** Work that an `abort` command for its task cancels until it settles. */
    const abortable = <T>(
      taskId: string,
      work: (signal: AbortSignal) => Promise<T>,
      done: (output: T) => EffectEvent,
    ) => {
      const controller = new AbortController();
      calls.set(taskId, controller);
      run(
        taskId,
        () => work(controller.signal),
        done,
        () => calls.delete(taskId),
      );
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
          calls.get(taskId)?.abort(command.reason);
          return;
      }
    });

    return () => {
      for (const controller of calls.values()) controller.abort();
    };
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
