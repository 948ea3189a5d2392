// Rate limits of the REST door, in memory (Berth runs one control-plane
// process): per key through the core's window, per address through
// express-rate-limit. Standard RateLimit headers and Retry-After on 429.
import type { Request, RequestHandler } from "express";
import { ipKeyGenerator, MemoryStore, rateLimit } from "express-rate-limit";
import { recordAudit } from "../core/audit.js";
import type { Context } from "../core/context.js";
import { errorBody } from "./errors.js";
import { AppError } from "../core/errors.js";

const MINUTE = 60_000;

export const clientIp = (req: Request) => ipKeyGenerator(req.ip ?? "unknown");

/**
 * Every authenticated request, per key (the core's window, shared by the REST
 * and MCP doors), with the draft-7 RateLimit headers. Synchronous: it runs on
 * every call, and express-rate-limit's chain of awaits showed in the profile.
 */
export function apiLimiter(ctx: Context): RequestHandler {
  return (req, res, next) => {
    const key = res.locals.actor?.key;
    const state = ctx.limits.requests.take(key ? `key:${key.id}` : `ip:${clientIp(req)}`);
    res.set("RateLimit-Policy", `${state.limit};w=${state.windowSeconds}`);
    res.set(
      "RateLimit",
      `limit=${state.limit}, remaining=${state.remaining}, reset=${state.resetSeconds}`,
    );
    next();
  };
}

/** Magic-link pages, per IP (tokens are unguessable; this stops hammering). */
export function verifyLimiter(ctx: Context): RequestHandler {
  return rateLimit({
    windowMs: MINUTE,
    limit: ctx.config.RATE_LIMIT_VERIFY_PER_MINUTE,
    // draft-7: one RateLimit header; draft-8 hashes the key on every request.
    standardHeaders: "draft-7",
    // The checks guard against misconfiguration and run on every request;
    // the tests cover this configuration instead.
    validate: false,
    legacyHeaders: false,
    keyGenerator: clientIp,
    handler: (_req, res) => {
      res.status(429).json(errorBody(rateLimited(Number(res.getHeader("retry-after") ?? 60))));
    },
  });
}

/**
 * Failed authentications per IP. Only failures are counted (a successful
 * request costs one lookup), so this guard stays off the hot path. Reaching
 * the limit is recorded in the audit log as a burst; until the window ends
 * that address gets 429 for every key.
 */
export class AuthFailures {
  private readonly store = new MemoryStore();

  constructor(private readonly ctx: Context) {
    this.store.init({ windowMs: MINUTE } as Parameters<MemoryStore["init"]>[0]);
  }

  /** Seconds until the address may try again, or 0 when it may now. */
  async retryAfter(req: Request): Promise<number> {
    const info = await this.store.get(clientIp(req));
    if (!info || info.totalHits < this.ctx.config.RATE_LIMIT_AUTH_FAILURES_PER_MINUTE) return 0;
    return Math.max(1, Math.ceil(((info.resetTime?.getTime() ?? Date.now()) - Date.now()) / 1000));
  }

  async record(req: Request): Promise<void> {
    const limit = this.ctx.config.RATE_LIMIT_AUTH_FAILURES_PER_MINUTE;
    const { totalHits } = await this.store.increment(clientIp(req));
    if (totalHits !== limit) return;
    await recordAudit(this.ctx, {
      action: "auth.failure_burst",
      ip: req.ip,
      detail: { path: req.originalUrl.split("?")[0], limitPerMinute: limit },
    }).catch((error: unknown) => this.ctx.log.error({ err: error }, "audit write failed"));
  }

  shutdown(): void {
    this.store.shutdown();
  }
}

export function rateLimited(retryAfterSeconds: number): AppError {
  return new AppError("RATE_LIMITED", `too many requests; retry in ${retryAfterSeconds} seconds`, {
    retryAfterSeconds,
  });
}
