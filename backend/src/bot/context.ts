// The grammY context the bot's middleware shares: who Berth knows the sender
// as (set by access.ts once per update).
import type { Context } from "grammy";
import { actorForUser, type Actor } from "../core/auth/scopes.js";
import { AppError } from "../core/errors.js";
import type { User } from "../generated/prisma/client.js";

export interface BerthFlavor {
  /** The sender's Berth account; null until they send /start. */
  user: User | null;
}

export type BotContext = Context & BerthFlavor;

/** The sender acting as themselves (Telegram vouches for them). */
export function actorOf(ctx: BotContext): Actor {
  if (!ctx.user) throw new AppError("UNAUTHORIZED", "send /start first");
  return actorForUser(ctx.user);
}

/** The sender's Berth account, which command handlers can rely on. */
export function userOf(ctx: BotContext): User {
  if (!ctx.user) throw new AppError("UNAUTHORIZED", "send /start first");
  return ctx.user;
}
