import {
  AbortError,
  QuotaQueueFull,
  QuotaStoreUnavailable,
  ValidationException,
} from '@bedrock-converse/runtime';
import Bottleneck from 'bottleneck';
import { Redis } from 'ioredis';
import { AdaptiveRate } from './adaptive-rate.js';
import { SlidingCounter } from './sliding-counter.js';

export interface QuotaOptions {
  /** Requests per minute (per window). */
  rpm: number;
  /** Tokens per minute (per window): input plus output, as Bedrock counts them. */
  tpm: number;
  /** The quota this scheduler guards: a model id, an inference profile, any name. Default "default". */
  key?: string;
  /** Length of the quota window. Default 60 000 ms; tests and benchmarks use a short one. */
  windowMs?: number;
  /** Tokens a request reserves for its answer when it sets no maxTokens. Default 1 000. */
  defaultMaxTokens?: number;
  /** At most this many requests wait in this process; more are refused with QuotaQueueFull. */
  maxQueued?: number;
  /**
   * Share the quota between processes through Redis, e.g. "redis://127.0.0.1:6379". Without it the
   * quota lives in this process. There is no silent fallback: an unreachable Redis is an error.
   */
  redis?: string;
  /** Lower the rate when the service throttles, restore it slowly on success. Default true. */
  adaptive?: boolean;
  /** Used capacity comes back no earlier than this long after the send, plus the window. */
  marginMs?: number;
}

/** How urgent a request is: interactive turns run before batch work. Or 0 (first) to 9. */
export type QuotaPriority = 'interactive' | 'normal' | 'batch' | number;

export interface ReserveOptions {
  /** Estimated input tokens of the request. */
  inputTokens: number;
  /** Its maxTokens (what the answer may use). Default: the scheduler's defaultMaxTokens. */
  maxTokens?: number | undefined;
  priority?: QuotaPriority | undefined;
  /** Aborting it while the request waits removes it: it never runs. */
  signal?: AbortSignal | undefined;
}

/** How a request that held a reservation ended. */
export type QuotaOutcome =
  | { tokensUsed: number }
  | { throttled: true }
  /** Failed without the service counting it (nothing was charged). */
  | { failed: true };

/** How a request that failed is settled: a throttle is not charged, nor is a refused request. */
export function outcomeOf(error: unknown): QuotaOutcome {
  return (error as Error | undefined)?.name === 'ThrottlingException'
    ? { throttled: true }
    : { failed: true };
}

/** Permission to send one request; settle it when the request ends. */
export interface QuotaGrant {
  readonly reservedTokens: number;
  /**
   * Call right before the request goes out: its used tokens come back one window after this
   * moment (default: when the grant was given). The closer to the send, the less is held back.
   */
  sending(): void;
  settle(outcome: QuotaOutcome): void;
}

export interface QuotaStats {
  key: string;
  /** Requests waiting in this process. */
  queued: number;
  /** Requests of this process holding a reservation. */
  running: number;
  /** Requests this process sent in the current window (the last `windowMs`). */
  requestsThisWindow: number;
  /** Tokens those requests used (reserved until their outcome is known). */
  tokensThisWindow: number;
  /** ThrottlingExceptions reported by this process's requests. */
  throttles: number;
  /** The rate in force after adaptation. */
  effectiveRpm: number;
  effectiveTpm: number;
  /** Tokens free right now for the whole quota (shared across processes with Redis). */
  availableTokens: number | null;
  windowMs: number;
}

const priorities: Record<Exclude<QuotaPriority, number>, number> = {
  interactive: 2,
  normal: 5,
  batch: 8,
};

/**
 * A Bedrock quota (requests and tokens per minute) as a Bottleneck limiter, optionally clustered
 * through Redis so many processes share one budget.
 *
 * - Tokens: the limiter's reservoir. A request reserves its estimated input plus its maxTokens
 *   (what Bedrock itself deducts up front) and settles with the real usage: the unused part comes
 *   back at once, an overrun is charged at once. What it used comes back one window after the
 *   request ended, so in no window of `windowMs` does usage pass the quota: the same sliding window
 *   the local server enforces, whatever the latency between here and the service.
 * - Requests: Bottleneck's `minTime` spaces them evenly, at most `rpm` per window.
 * - Priorities, a bounded queue (QuotaQueueFull) and AbortSignal cancellation of waiting requests.
 * - Adaptive: a ThrottlingException lowers the effective rate, success restores it slowly (see
 *   AdaptiveRate), so a quota set too high converges instead of hammering the service.
 */
export class QuotaScheduler {
  readonly key: string;
  readonly rpm: number;
  readonly tpm: number;
  readonly windowMs: number;
  readonly #defaultMaxTokens: number;
  readonly #marginMs: number;
  readonly #limiter: Bottleneck;
  readonly #adaptive: AdaptiveRate | undefined;
  readonly #redis: string | undefined;
  readonly #requests: SlidingCounter;
  readonly #tokens: SlidingCounter;
  readonly #timers = new Set<NodeJS.Timeout>();
  /** Capacity returns still to come, settled when they are done. */
  readonly #pending = new Set<Promise<void>>();
  #throttles = 0;
  #queued = 0;
  #running = 0;
  #withheld = 0;
  /** Tokens reserved by this process's requests in flight. */
  #inFlight = 0;

  /** Connects (with `redis`) and returns a ready scheduler; QuotaStoreUnavailable if it cannot. */
  static async create(options: QuotaOptions): Promise<QuotaScheduler> {
    if (options.redis !== undefined) await checkRedis(options.redis);
    const scheduler = new QuotaScheduler(options);
    await scheduler.#limiter.ready();
    return scheduler;
  }

  /**
   * Deletes a shared quota's state in Redis, so the next scheduler to connect starts it afresh
   * with its own settings (the first to connect sets them for all).
   */
  static async reset(redis: string, key = 'default'): Promise<void> {
    await checkRedis(redis);
    const client = new Redis({ ...redisOptions(redis), lazyConnect: true });
    try {
      await client.connect();
      // Bottleneck keeps a limiter's state under keys named b_<id>_…
      const keys = await client.keys(`b_${limiterId(key)}_*`);
      if (keys.length > 0) await client.del(...keys);
    } finally {
      client.disconnect();
    }
  }

  private constructor(options: QuotaOptions) {
    this.rpm = positive('rpm', options.rpm);
    this.tpm = positive('tpm', options.tpm);
    this.key = options.key ?? 'default';
    this.windowMs = positive('windowMs', options.windowMs ?? 60_000);
    this.#defaultMaxTokens = options.defaultMaxTokens ?? 1000;
    this.#marginMs = options.marginMs ?? Math.max(200, Math.round(this.windowMs / 50));
    this.#redis = options.redis;
    this.#requests = new SlidingCounter(this.windowMs);
    this.#tokens = new SlidingCounter(this.windowMs);
    this.#limiter = new Bottleneck({
      id: limiterId(this.key),
      reservoir: this.tpm,
      minTime: this.#minTime(1),
      maxConcurrent: null,
      ...(options.maxQueued === undefined
        ? {}
        : { highWater: options.maxQueued, strategy: Bottleneck.strategy.OVERFLOW }),
      ...(options.redis === undefined
        ? {}
        : {
            datastore: 'ioredis',
            clientOptions: redisOptions(options.redis),
            clearDatastore: false,
            // The shared state expires when no process has used it for a while.
            timeout: Math.max(600_000, this.windowMs * 20),
            Redis,
          }),
    });
    this.#limiter.on('error', () => {
      // Connection trouble after start surfaces through the scheduled calls themselves.
    });
    this.#adaptive =
      options.adaptive === false
        ? undefined
        : new AdaptiveRate((factor) => this.#applyFactor(factor), { windowMs: this.windowMs });
  }

  /**
   * Waits until the quota allows the request, and returns its grant. The request reserves
   * `inputTokens + maxTokens`; settle the grant when it ends.
   */
  async reserve(options: ReserveOptions): Promise<QuotaGrant> {
    const reserved = Math.ceil(
      Math.max(0, options.inputTokens) + (options.maxTokens ?? this.#defaultMaxTokens),
    );
    if (reserved > this.tpm) {
      throw new ValidationException(
        `A request reserving ${reserved} tokens (input ${Math.ceil(options.inputTokens)} + maxTokens ${options.maxTokens ?? this.#defaultMaxTokens}) can never fit a quota of ${this.tpm} tokens per window.`,
      );
    }
    const signal = options.signal;
    signal?.throwIfAborted();
    let cancelled = false;
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.#queued += 1;
    return new Promise<QuotaGrant>((resolve, reject) => {
      const onAbort = () => {
        cancelled = true;
        reject(
          new AbortError('The request was cancelled while it waited for quota.', {
            cause: signal?.reason,
          }),
        );
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const job = async () => {
        this.#queued -= 1;
        signal?.removeEventListener('abort', onAbort);
        if (cancelled) {
          // It never runs: give its reservation back.
          await this.#give(reserved);
          return;
        }
        this.#running += 1;
        this.#inFlight += reserved;
        let sentAt = Date.now();
        this.#requests.add(1, sentAt);
        let settled = false;
        resolve({
          reservedTokens: reserved,
          sending: () => {
            sentAt = Date.now();
          },
          settle: (outcome) => {
            if (settled) return;
            settled = true;
            this.#running -= 1;
            this.#inFlight -= reserved;
            this.#settle(reserved, sentAt, outcome);
            release();
          },
        });
        await released;
      };
      this.#limiter
        .schedule(
          {
            weight: reserved,
            priority: priorityOf(options.priority),
            // Lets the cluster recover a reservation whose process died mid-request.
            expiration: this.windowMs * 10,
          },
          job,
        )
        .catch((error: unknown) => {
          this.#queued = Math.max(0, this.#queued - 1);
          signal?.removeEventListener('abort', onAbort);
          if (error instanceof Bottleneck.BottleneckError && /dropped/i.test(error.message)) {
            reject(
              new QuotaQueueFull(
                `The quota "${this.key}" already has the most requests waiting (maxQueued); this one was not queued.`,
              ),
            );
          } else {
            reject(error);
          }
        });
    });
  }

  async stats(): Promise<QuotaStats> {
    const now = Date.now();
    const factor = this.#adaptive?.factor ?? 1;
    return {
      key: this.key,
      queued: this.#queued,
      running: this.#running,
      requestsThisWindow: this.#requests.sum(now),
      tokensThisWindow: this.#tokens.sum(now),
      throttles: this.#throttles,
      effectiveRpm: Math.round(this.rpm * factor * 100) / 100,
      effectiveTpm: Math.round(this.tpm * factor),
      availableTokens: await this.#limiter.currentReservoir(),
      windowMs: this.windowMs,
    };
  }

  /**
   * Stops the scheduler. Shared through Redis, it first waits until the capacity its requests
   * used is due back (at most a window) and gives it back, so a process that leaves never takes
   * quota with it; in one process there is no one to give it to.
   */
  async close(): Promise<void> {
    if (this.#redis !== undefined) {
      for (const timer of this.#timers) timer.ref();
      await Promise.all(this.#pending);
    }
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    await this.#limiter.disconnect(true);
  }

  #settle(reserved: number, sentAt: number, outcome: QuotaOutcome) {
    if ('tokensUsed' in outcome) {
      const used = Math.max(0, Math.ceil(outcome.tokensUsed));
      this.#tokens.add(used, sentAt);
      // Unused tokens come back now (an overrun is charged now); the used ones one window after
      // the request ended. The service counted it from its arrival, which is before its end and
      // after `sentAt`: counting from the end can never hand capacity back too early, however
      // long the request took to arrive.
      if (reserved !== used) void this.#give(reserved - used);
      this.#later(Math.max(Date.now(), sentAt + this.#marginMs) + this.windowMs, () =>
        this.#give(used),
      );
      this.#adaptive?.success();
      return;
    }
    // Not counted by the service: everything comes back now.
    void this.#give(reserved);
    if ('throttled' in outcome) {
      this.#throttles += 1;
      // In one process, what it had in use when the service said no is the service's limit,
      // about. Across processes this process sees only its share, so the cut alone has to do.
      const inUse =
        this.#redis === undefined
          ? (this.#tokens.sum() + this.#inFlight + reserved) / this.tpm
          : undefined;
      this.#adaptive?.throttled(inUse);
    }
  }

  #give(tokens: number) {
    if (tokens === 0) return Promise.resolve();
    return this.#limiter.incrementReservoir(tokens).catch(() => undefined);
  }

  #later(at: number, task: () => Promise<unknown>) {
    let done!: () => void;
    const pending = new Promise<void>((resolve) => {
      done = resolve;
    });
    this.#pending.add(pending);
    const timer = setTimeout(
      () => {
        this.#timers.delete(timer);
        void task().finally(() => {
          this.#pending.delete(pending);
          done();
        });
      },
      Math.max(0, at - Date.now()),
    );
    timer.unref();
    this.#timers.add(timer);
  }

  #minTime(factor: number) {
    // Spaced so that at most `rpm` start in any window plus the margin: a request that reaches
    // the service late (a busy event loop, a slow network) still falls in the window it was meant
    // for.
    return Math.ceil((this.windowMs + this.#marginMs) / (this.rpm * factor));
  }

  /** A new adaptive factor: withhold (or return) tokens and respace requests accordingly. */
  #applyFactor(factor: number) {
    const withheld = Math.round(this.tpm * (1 - factor));
    const delta = this.#withheld - withheld;
    this.#withheld = withheld;
    void this.#give(delta);
    void this.#limiter.updateSettings({ minTime: this.#minTime(factor) });
  }

  /** Where this scheduler keeps its quota, for messages. */
  get store(): string {
    return this.#redis ?? 'this process';
  }
}

function positive(name: string, value: number): number {
  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) {
    throw new ValidationException(`${name} must be a positive number, got ${String(value)}.`);
  }
  return value;
}

function priorityOf(priority: QuotaPriority | undefined): number {
  if (priority === undefined) return priorities.normal;
  if (typeof priority === 'number') return Math.min(9, Math.max(0, Math.round(priority)));
  return priorities[priority];
}

function limiterId(key: string) {
  return `bedrock-converse:quota:${key}`;
}

function redisOptions(url: string) {
  const parsed = new URL(url);
  return {
    host: parsed.hostname || '127.0.0.1',
    port: Number(parsed.port || 6379),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.pathname.length > 1 ? { db: Number(parsed.pathname.slice(1)) } : {}),
  };
}

/** Fails with QuotaStoreUnavailable, naming the URL, when Redis does not answer. */
async function checkRedis(url: string): Promise<void> {
  let options: ReturnType<typeof redisOptions>;
  try {
    options = redisOptions(url);
  } catch (error) {
    throw new QuotaStoreUnavailable(`"${url}" is not a Redis URL (e.g. redis://127.0.0.1:6379).`, {
      cause: error,
    });
  }
  const client = new Redis({
    ...options,
    lazyConnect: true,
    connectTimeout: 2000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    throw new QuotaStoreUnavailable(
      `Cannot reach Redis at ${url} for the shared quota: ${(error as Error).message}. Start Redis there, or leave out the redis option to keep the quota in this process.`,
      { cause: error },
    );
  } finally {
    client.disconnect();
  }
}
