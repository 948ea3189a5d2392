// X-API-Key authentication for the REST door (and the MCP door, which is
// mounted in the same app). One 401 answer for every kind of bad key, so the
// answer never says which check failed.
import type { Request, RequestHandler, Response } from "express";
import type { Actor, Scope } from "../core/auth/scopes.js";
import { requireScope } from "../core/auth/scopes.js";
import type { Context } from "../core/context.js";
import { AppError } from "../core/errors.js";
import { rateLimited, type AuthFailures } from "./rate-limits.js";

declare module "express-serve-static-core" {
  interface Locals {
    actor?: Actor;
  }
}

/** The key from X-API-Key or Authorization: Bearer; never from the URL. */
export function presentedKey(req: Request): string | null {
  const header = req.get("x-api-key");
  if (header) return header.trim();
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.get("authorization") ?? "");
  return match?.[1] ?? null;
}

export const UNAUTHORIZED_MESSAGE =
  "a valid API key is required in the X-API-Key header (or Authorization: Bearer)";

export function authenticate(ctx: Context, failures: AuthFailures): RequestHandler {
  return async (req, res, next) => {
    const retryAfter = await failures.retryAfter(req);
    if (retryAfter > 0) {
      res.set("Retry-After", String(retryAfter));
      next(rateLimited(retryAfter));
      return;
    }
    const key = presentedKey(req);
    const actor = key ? await ctx.keys.verify(key) : null;
    if (!actor) {
      await failures.record(req);
      res.set("WWW-Authenticate", 'Bearer realm="berth"');
      next(new AppError("UNAUTHORIZED", UNAUTHORIZED_MESSAGE));
      return;
    }
    res.locals.actor = actor;
    next();
  };
}

/** The authenticated actor (only on routes behind `authenticate`). */
export function actorOf(res: Response): Actor {
  const actor = res.locals.actor;
  if (!actor) throw new AppError("UNAUTHORIZED", UNAUTHORIZED_MESSAGE);
  return actor;
}

/** Route guard for a scope: 403 naming the missing scope. */
export function scope(needed: Scope): RequestHandler {
  return (_req, res, next) => {
    requireScope(actorOf(res), needed);
    next();
  };
}
