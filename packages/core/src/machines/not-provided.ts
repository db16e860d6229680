import { fromPromise } from 'xstate';

/** Placeholder logic for an actor the machine names but a caller must `provide`. */
export function notProvided<TOutput, TInput>(name: string) {
  return fromPromise<TOutput, TInput>(async () => {
    throw new Error(
      `The actor "${name}" was not provided: use machine.provide({ actors: { ${name} } }).`,
    );
  });
}
