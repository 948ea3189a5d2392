// Per-user limits that are rules of the platform (not of one door), such as
// "5 new deployments a minute": counted here, so REST, the bot and MCP share
// one budget. A fixed window per key, in memory (one control-plane process).
import { AppError } from "./errors.js";

export class WindowLimiter {
  private readonly hits = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly limit: number,
    private readonly what: string,
    private readonly windowMs = 60_000,
  ) {}

  /** Counts one use by `key`; throws RATE_LIMITED once the window's budget is spent. */
  take(key: string): void {
    const now = Date.now();
    if (this.hits.size > 10_000) this.prune(now);
    let entry = this.hits.get(key);
    if (!entry || entry.resetAt <= now) {
      entry = { count: 0, resetAt: now + this.windowMs };
      this.hits.set(key, entry);
    }
    entry.count++;
    if (entry.count > this.limit) {
      const retryAfterSeconds = Math.max(1, Math.ceil((entry.resetAt - now) / 1000));
      throw new AppError(
        "RATE_LIMITED",
        `at most ${this.limit} ${this.what} a minute; retry in ${retryAfterSeconds} seconds`,
        { limit: this.limit, retryAfterSeconds },
      );
    }
  }

  private prune(now: number) {
    for (const [key, entry] of this.hits) if (entry.resetAt <= now) this.hits.delete(key);
  }
}
