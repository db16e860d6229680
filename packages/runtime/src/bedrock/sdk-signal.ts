/**
 * The abort signal handed to the AWS SDK for one call: a small object with the part of the
 * AbortSignal interface the SDK uses (`aborted`, `reason`, `onabort`, add/removeEventListener),
 * aborted when the caller's signal aborts.
 *
 * Why not the caller's signal itself: the SDK adds and removes a listener on it for every request,
 * and Node 20's AbortSignal makes that slow (about 15 µs a call once caches are cold, 1.5 % of a
 * local round trip, measured in docs/benchmarks.md). Here the caller's signal gets one listener for
 * its whole life, however many calls share it, and each call's listeners live in a plain array.
 */
export class SdkSignal {
  aborted = false;
  reason: unknown = undefined;
  onabort: ((event: { type: 'abort' }) => void) | null = null;
  #listeners: Array<(event: { type: 'abort' }) => void> = [];

  addEventListener(type: string, listener: (event: { type: 'abort' }) => void): void {
    if (type === 'abort') this.#listeners.push(listener);
  }

  removeEventListener(type: string, listener: (event: { type: 'abort' }) => void): void {
    if (type !== 'abort') return;
    const at = this.#listeners.indexOf(listener);
    if (at >= 0) this.#listeners.splice(at, 1);
  }

  throwIfAborted(): void {
    if (this.aborted) throw this.reason;
  }

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const event = { type: 'abort' as const };
    const listeners = this.#listeners;
    this.#listeners = [];
    for (const listener of listeners) listener(event);
    this.onabort?.(event);
  }
}

/** For each caller signal, the calls it aborts; the one listener on it is added when first seen. */
const callsOf = new WeakMap<AbortSignal, Set<SdkSignal>>();

/**
 * An SdkSignal that aborts when `signal` does (with its reason), and `unlink` to drop that link
 * once the call is over. Undefined for no signal.
 */
export function linkSdkSignal(
  signal: AbortSignal | undefined,
): { sdkSignal: SdkSignal; unlink: () => void } | undefined {
  if (!signal) return undefined;
  const sdkSignal = new SdkSignal();
  if (signal.aborted) {
    sdkSignal.abort(signal.reason);
    return { sdkSignal, unlink: () => {} };
  }
  let calls = callsOf.get(signal);
  if (!calls) {
    const linked = new Set<SdkSignal>();
    calls = linked;
    callsOf.set(signal, linked);
    signal.addEventListener(
      'abort',
      () => {
        for (const call of linked) call.abort(signal.reason);
        linked.clear();
      },
      { once: true },
    );
  }
  const linked = calls;
  linked.add(sdkSignal);
  return { sdkSignal, unlink: () => linked.delete(sdkSignal) };
}
