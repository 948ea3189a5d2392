// Per-user flood control: a token bucket per Telegram user id, in memory
// (one Berth process runs the bot). A burst of up to `perMinute` updates
// passes, then `perMinute` a minute; the first update over the limit gets
// one "slow down" reply, the rest are dropped silently until tokens return.
import type { MiddlewareFn } from "grammy";
import type { BotContext } from "./context.js";

interface Bucket {
  tokens: number;
  at: number;
  warned: boolean;
}

const MAX_TRACKED = 10_000;

export type Verdict = "pass" | "warn" | "drop";

export class TokenBuckets {
  private readonly buckets = new Map<number, Bucket>();

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  take(id: number): Verdict {
    const now = this.now();
    const bucket = this.refilled(id, now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      bucket.warned = false;
      return "pass";
    }
    if (bucket.warned) return "drop";
    bucket.warned = true;
    return "warn";
  }

  private refilled(id: number, now: number): Bucket {
    let bucket = this.buckets.get(id);
    if (!bucket) {
      if (this.buckets.size >= MAX_TRACKED) this.prune(now);
      bucket = { tokens: this.perMinute, at: now, warned: false };
      this.buckets.set(id, bucket);
    }
    const earned = ((now - bucket.at) / 60_000) * this.perMinute;
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + earned);
    bucket.at = now;
    return bucket;
  }

  /** Forgets users whose bucket is full again (they are idle). */
  private prune(now: number): void {
    for (const [id, bucket] of this.buckets) {
      const tokens = bucket.tokens + ((now - bucket.at) / 60_000) * this.perMinute;
      if (tokens >= this.perMinute) this.buckets.delete(id);
    }
  }
}

export const SLOW_DOWN = "You are sending messages too fast. Wait a minute, then try again.";

export function floodControl(perMinute: number): MiddlewareFn<BotContext> {
  const buckets = new TokenBuckets(perMinute);
  return async (ctx, next) => {
    const id = ctx.from?.id;
    const verdict = id === undefined ? "pass" : buckets.take(id);
    if (verdict === "pass") return next();
    if (verdict === "drop") return;
    if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: SLOW_DOWN, show_alert: true });
    else if (ctx.chat?.type === "private") await ctx.reply(SLOW_DOWN);
  };
}
