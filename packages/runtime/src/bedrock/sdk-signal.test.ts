import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { linkSdkSignal } from './sdk-signal.js';

describe('linkSdkSignal', () => {
  it('aborts every call still linked to the signal, with its reason, and only those', () => {
    const controller = new AbortController();
    const first = linkSdkSignal(controller.signal)!;
    const second = linkSdkSignal(controller.signal)!;
    const finished = linkSdkSignal(controller.signal)!;
    finished.unlink();
    const heard: string[] = [];
    first.sdkSignal.addEventListener('abort', () => heard.push('first listener'));
    const removed = () => heard.push('removed listener');
    first.sdkSignal.addEventListener('abort', removed);
    first.sdkSignal.removeEventListener('abort', removed);
    second.sdkSignal.onabort = () => heard.push('second onabort');

    const reason = new Error('stop');
    controller.abort(reason);

    expect(heard).toStrictEqual(['first listener', 'second onabort']);
    expect(first.sdkSignal.aborted).toBe(true);
    expect(first.sdkSignal.reason).toBe(reason);
    expect(() => second.sdkSignal.throwIfAborted()).toThrow(reason);
    expect(finished.sdkSignal.aborted).toBe(false);
  });

  it('puts one listener on the signal however many calls it serves', () => {
    const controller = new AbortController();
    for (let i = 0; i < 50; i++) linkSdkSignal(controller.signal)!.unlink();
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
  });

  it('an already aborted signal gives an aborted SDK signal; no signal gives none', () => {
    const link = linkSdkSignal(AbortSignal.abort('gone'))!;
    expect(link.sdkSignal.aborted).toBe(true);
    expect(link.sdkSignal.reason).toBe('gone');
    expect(linkSdkSignal(undefined)).toBeUndefined();
  });
});
