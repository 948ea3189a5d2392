// Per-user limits that are rules of the platform (not of one door), such as
// "5 new deployments a minute": counted here, so REST, the bot and MCP share
// one budget. A fixed window per key, in memory (one control-plane process).
// Synchronous on purpose: the per-key request limit runs on every API call.
import { AppError } from "./errors.js";

/** Where a key stands in its window after a use that was allowed. */
export interface WindowState {
  limit: number;
  remaining: number;
  /** Seconds until the window starts again. */
  resetSeconds: number;
  windowSeconds: number;
}

export class WindowLimiter {
  private readonly hits = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly limit: number,
    private readonly what: string,
    private readonly windowMs = 60_000,
  ) {}

  /** Counts one use by `key`; throws RATE_LIMITED once the window's budget is spent. */
  take(key: string): WindowState {
    const now = Date.now();
    if (this.hits.size > 10_000) this.prune(now);
    let entry = this.hits.get(key);
    if (!entry || entry.resetAt <= now) {
      entry = { count: 0, resetAt: now + this.windowMs };
      this.hits.set(key, entry);
    }
    entry.count++;
    const resetSeconds = Math.max(1, Math.ceil((entry.resetAt - now) / 1000));
    if (entry.count > this.limit) {
      throw new AppError(
        "RATE_LIMITED",
        `at most ${this.limit} ${this.what} a minute; retry in ${resetSeconds} seconds`,
        { limit: this.limit, retryAfterSeconds: resetSeconds },
      );
    }
    return {
      limit: this.limit,
      remaining: this.limit - entry.count,
      resetSeconds,
      windowSeconds: Math.round(this.windowMs / 1000),
    };
  }

  private prune(now: number) {
    for (const [key, entry] of this.hits) if (entry.resetAt <= now) this.hits.delete(key);
  }
}
