// People who reach Berth through the Telegram bot: Telegram vouches for who
// they are, so their Telegram user id is their identity. Registration is
// open unless the operator lists the ids allowed (TELEGRAM_ALLOWED_USER_IDS).
import type { Config } from "../../config.js";
import type { User } from "../../generated/prisma/client.js";
import { recordAudit } from "../audit.js";
import type { Context } from "../context.js";
import { AppError } from "../errors.js";

const MAX_NAME_LENGTH = 64;

export interface TelegramIdentity {
  telegramId: number;
  /** The name Telegram shows (first and last name); kept in sync. */
  name: string;
}

/** Whether this Telegram user may have an account (and use the bot). */
export function telegramUserAllowed(
  config: Pick<Config, "TELEGRAM_ALLOWED_USER_IDS">,
  telegramId: number,
): boolean {
  const allowed = config.TELEGRAM_ALLOWED_USER_IDS;
  return allowed.length === 0 || allowed.includes(String(telegramId));
}

/** Telegram's names are free text of any length; ours stay printable and short. */
export function cleanName(name: string): string {
  // Control characters (line breaks, bidi overrides) would garble logs and pages.
  const clean = name.replace(/[\p{Cc}\p{Cf}]/gu, "").trim();
  return [...clean].slice(0, MAX_NAME_LENGTH).join("").trim() || "Telegram user";
}

function refuse(telegramId: number): AppError {
  return new AppError("FORBIDDEN", "this Berth is not open to new Telegram users", {
    reason: "not_allowlisted",
    telegramId,
  });
}

/** The account of a known Telegram user (name synced), or null. */
export async function findTelegramUser(
  ctx: Pick<Context, "db" | "config">,
  identity: TelegramIdentity,
): Promise<User | null> {
  if (!telegramUserAllowed(ctx.config, identity.telegramId)) throw refuse(identity.telegramId);
  const user = await ctx.db.user.findUnique({
    where: { telegramId: BigInt(identity.telegramId) },
  });
  const name = cleanName(identity.name);
  if (!user || user.name === name) return user;
  return ctx.db.user.update({ where: { id: user.id }, data: { name } });
}

/** Creates the account on first contact, or syncs its name; idempotent. */
export async function upsertTelegramUser(
  ctx: Pick<Context, "db" | "config">,
  identity: TelegramIdentity,
): Promise<{ user: User; created: boolean }> {
  const existing = await findTelegramUser(ctx, identity);
  if (existing) return { user: existing, created: false };
  const telegramId = BigInt(identity.telegramId);
  const name = cleanName(identity.name);
  // Upsert, not create: two /start at once must not fail on the unique id.
  const user = await ctx.db.user.upsert({
    where: { telegramId },
    create: { telegramId, name },
    update: { name },
  });
  await recordAudit(ctx, {
    action: "user.created",
    userId: user.id,
    detail: { via: "telegram" },
  });
  return { user, created: true };
}
