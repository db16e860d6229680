import type { BedrockExceptionName } from '@bedrock-converse/runtime';
import type { StreamExceptionName } from './event-stream.js';

export type Route = 'converse' | 'converse-stream' | 'count-tokens';

interface FaultBase {
  /** Which routes it applies to. Default: all. */
  routes?: Route[];
  /** Only for this model id. */
  modelId?: string;
  /** How many requests it hits. Default 1; Infinity for "until cleared". */
  times?: number;
}

/** Answer with an HTTP error, as Bedrock does: status, `x-amzn-errortype` and `{ message }`. */
export interface HttpErrorFault extends FaultBase {
  kind: 'http-error';
  exception: BedrockExceptionName;
  message?: string;
  /** Overrides the exception's usual status. */
  status?: number;
}
/** Wait before answering. */
export interface LatencyFault extends FaultBase {
  kind: 'latency';
  ms: number;
}
/** Send `afterEvents` stream events, then an exception frame. */
export interface StreamExceptionFault extends FaultBase {
  kind: 'stream-exception';
  exception: StreamExceptionName;
  afterEvents: number;
  message?: string;
}
/** Send `afterEvents` stream events, then cut the connection (no clean end of stream). */
export interface StreamCutFault extends FaultBase {
  kind: 'stream-cut';
  afterEvents: number;
}
/** Destroy the connection without any answer. */
export interface ResetFault extends FaultBase {
  kind: 'reset';
}

export type Fault =
  | HttpErrorFault
  | LatencyFault
  | StreamExceptionFault
  | StreamCutFault
  | ResetFault;

/**
 * Faults the server injects, settable per test. Each request takes the applicable faults (at most
 * one of each kind) in the order they were added, and each use counts down its `times`.
 */
export class FaultInjector {
  readonly #faults: Array<{ fault: Fault; left: number }> = [];

  add(...faults: Fault[]): this {
    for (const fault of faults) this.#faults.push({ fault, left: fault.times ?? 1 });
    return this;
  }

  clear(): void {
    this.#faults.length = 0;
  }

  /** The faults that apply to one request (consumed). */
  take(route: Route, modelId: string): Fault[] {
    const taken: Fault[] = [];
    const kinds = new Set<Fault['kind']>();
    for (const entry of this.#faults) {
      const { fault } = entry;
      if (entry.left <= 0 || kinds.has(fault.kind)) continue;
      if (fault.routes && !fault.routes.includes(route)) continue;
      if (fault.modelId !== undefined && fault.modelId !== modelId) continue;
      entry.left -= 1;
      kinds.add(fault.kind);
      taken.push(fault);
    }
    for (let i = this.#faults.length - 1; i >= 0; i--) {
      if (this.#faults[i]!.left <= 0) this.#faults.splice(i, 1);
    }
    return taken;
  }
}
