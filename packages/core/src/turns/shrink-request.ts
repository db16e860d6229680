import type { Message } from '@aws-sdk/client-bedrock-runtime';
import { estimateRequestTokens, shrinkForOverflow } from '@bedrock-converse/memory';
import type { ConverseInput } from '@bedrock-converse/runtime';
import { ContextWindowOverflow } from '@bedrock-converse/runtime';
import type { PreparedTurn } from '../machines/conversation-types.js';
import { buildConverseInput, type RequestParts } from './build-request.js';

/**
 * The turn with a smaller request after the model said it does not fit (one round of overflow
 * recovery: an oversized tool result cut, or the oldest unpinned exchange dropped), or undefined
 * when nothing more can go. The stored history is not touched; the system prompt never goes.
 */
export function shrinkPrepared(prepared: PreparedTurn): PreparedTurn | undefined {
  const parts = prepared.requestParts;
  if (!parts || !prepared.request) return undefined;
  const indices = prepared.sentIndices ?? parts.messages.map((_, i) => i);
  const pinned = new Set(prepared.memoryPlan?.pinned ?? prepared.record.memory?.pinned ?? []);
  const smaller = shrinkForOverflow({ messages: parts.messages, indices }, pinned);
  if (!smaller) return undefined;
  const requestParts = { ...parts, messages: smaller.messages };
  const request = {
    ...buildConverseInput(requestParts),
    // Everything else of the request (tools, their choice) stays as it was.
    ...(prepared.request.toolConfig ? { toolConfig: prepared.request.toolConfig } : {}),
  };
  return { ...prepared, requestParts, request, sentIndices: smaller.indices };
}

/** The error for a request that still does not fit when nothing more can be pruned. */
export function overflowError(
  prepared: Pick<PreparedTurn, 'requestParts' | 'request'> | undefined,
  cause: unknown,
  extra: readonly Message[] = [],
) {
  const messages = [...(prepared?.requestParts?.messages ?? []), ...extra];
  const estimated = Math.ceil(
    estimateRequestTokens({ messages, system: prepared?.request?.system }),
  );
  const window = prepared?.requestParts?.modelInfo.contextWindow;
  return new ContextWindowOverflow(
    `The request does not fit the model's context window even with everything that may be pruned gone (about ${estimated} tokens${window ? `; the model takes ${window}` : ''}). Nothing was stored.`,
    estimated,
    window,
    { cause },
  );
}

/** What a tool loop needs to shrink its requests: how the first one was built. */
export interface ShrinkableRequest {
  parts: RequestParts;
  /** Stored index of each message of `parts.messages`. */
  indices: number[];
  pinned: number[];
}

/**
 * One round of overflow recovery inside a tool loop: the history part of the request may lose
 * exchanges, and any tool result (this turn's too) may be cut; the turn's own messages are only
 * ever cut, never dropped, and what is stored is not touched (`sentAdded` are the copies sent).
 */
export function shrinkLoopRequest(
  shrinkable: ShrinkableRequest,
  request: ConverseInput,
  sentAdded: readonly Message[],
): { shrinkable: ShrinkableRequest; request: ConverseInput; sentAdded: Message[] } | undefined {
  const messages = [...shrinkable.parts.messages, ...sentAdded];
  const indices = [...shrinkable.indices, ...sentAdded.map(() => -1)];
  const smaller = shrinkForOverflow({ messages, indices }, new Set(shrinkable.pinned));
  if (!smaller) return undefined;
  const keep = smaller.messages.length - sentAdded.length;
  const parts = { ...shrinkable.parts, messages: smaller.messages.slice(0, keep) };
  return {
    shrinkable: { ...shrinkable, parts, indices: smaller.indices.slice(0, keep) },
    request: {
      ...buildConverseInput(parts),
      ...(request.toolConfig ? { toolConfig: request.toolConfig } : {}),
    },
    sentAdded: smaller.messages.slice(keep),
  };
}

export function shrinkableOf(prepared: PreparedTurn): ShrinkableRequest | undefined {
  const parts = prepared.requestParts;
  if (!parts) return undefined;
  return {
    parts,
    indices: prepared.sentIndices ?? parts.messages.map((_, i) => i),
    pinned: prepared.memoryPlan?.pinned ?? prepared.record.memory?.pinned ?? [],
  };
}
