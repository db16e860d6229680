// The server side of Bedrock's quotas: requests and tokens per minute, over a sliding window.
// Like Bedrock, a request is charged its input tokens plus its maxTokens when it arrives, and the
// charge is corrected to what it really used when it ends.

export interface ServerQuotaOptions {
  /** Requests per window. */
  rpm?: number;
  /** Tokens per window (input + output). */
  tpm?: number;
  /** Default 60 000 ms. */
  windowMs?: number;
  /** What a request without maxTokens is charged for its answer up front. Default 1 000. */
  defaultMaxTokens?: number;
}

export interface QuotaCharge {
  at: number;
  tokens: number;
}

export class QuotaWindow {
  readonly #options: ServerQuotaOptions;
  readonly #windowMs: number;
  #charges: QuotaCharge[] = [];
  /** Requests refused with 429, for tests and benchmarks. */
  throttled = 0;

  constructor(options: ServerQuotaOptions) {
    this.#options = options;
    this.#windowMs = options.windowMs ?? 60_000;
  }

  /**
   * Charges a request, or says why it is refused (Bedrock's own ThrottlingException wording).
   */
  admit(
    inputTokens: number,
    maxTokens: number | undefined,
    now = Date.now(),
  ): QuotaCharge | string {
    this.#charges = this.#charges.filter((c) => c.at > now - this.#windowMs);
    const { rpm, tpm } = this.#options;
    if (rpm !== undefined && this.#charges.length + 1 > rpm) {
      this.throttled += 1;
      return 'Too many requests, please wait before trying again.';
    }
    const tokens = inputTokens + (maxTokens ?? this.#options.defaultMaxTokens ?? 1000);
    const used = this.#charges.reduce((sum, c) => sum + c.tokens, 0);
    if (tpm !== undefined && used + tokens > tpm) {
      this.throttled += 1;
      return 'Too many tokens, please wait before trying again.';
    }
    const charge = { at: now, tokens };
    this.#charges.push(charge);
    return charge;
  }

  /** The request ended having used `tokens`. */
  settle(charge: QuotaCharge, tokens: number): void {
    charge.tokens = tokens;
  }

  /** The request failed before the model ran: it is not charged. */
  refund(charge: QuotaCharge): void {
    this.#charges = this.#charges.filter((c) => c !== charge);
  }
}
