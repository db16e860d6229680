import { outcomeOf, type QuotaGrant } from '@bedrock-converse/limits';
import type { ConverseInput } from '@bedrock-converse/runtime';

/**
 * A model call's access to the quota: a grant reserved before the call started (the conversation
 * machine's `waitingForQuota`), and a way to reserve for further attempts (retries, tool-loop steps).
 */
export interface QuotaGate {
  /** The grant reserved ahead for this call, handed over once. */
  take(): QuotaGrant | undefined;
  reserve(request: ConverseInput, signal: AbortSignal): Promise<QuotaGrant>;
}

/** Runs one model request under the quota: reserve (or take the grant), call, settle. */
export async function underQuota<T>(
  gate: QuotaGate | undefined,
  request: ConverseInput,
  signal: AbortSignal,
  call: () => Promise<T>,
  tokensOf: (result: T) => number | undefined,
): Promise<T> {
  if (!gate) return call();
  const grant = gate.take() ?? (await gate.reserve(request, signal));
  try {
    grant.sending();
    const result = await call();
    grant.settle({ tokensUsed: tokensOf(result) ?? grant.reservedTokens });
    return result;
  } catch (error) {
    grant.settle(outcomeOf(error));
    throw error;
  }
}
