// Magic links: how a person gets a key without typing a password. The bot
// asks for a link; the person opens it in a browser and confirms. Chat apps
// and mail scanners fetch links before people click, so looking at a link
// (inspectMagicLink) never consumes it; only redeemMagicLink does, once,
// atomically. Tokens are stored as SHA-256 hashes (they are random, 256-bit:
// no need for a slow hash) and looked up by that hash.
import { createHash } from "node:crypto";
import { nanoid } from "nanoid";
import { recordAudit } from "../audit.js";
import type { Context } from "../context.js";
import { AppError } from "../errors.js";
import { createApiKey, daysFromNow, type CreatedKey } from "./create-api-key.js";
import { userScopes } from "./scopes.js";

const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

export interface CreateMagicLinkOptions {
  userId: string;
  keyName: string;
}

export interface MagicLink {
  /** Contains the token: send it to its owner only, never log it. */
  url: string;
  expiresAt: Date;
}

export async function createMagicLink(
  ctx: Context,
  options: CreateMagicLinkOptions,
): Promise<MagicLink> {
  const token = nanoid(43);
  const expiresAt = new Date(Date.now() + ctx.config.MAGIC_LINK_TTL_MINUTES * 60_000);
  await ctx.db.magicLink.create({
    data: {
      tokenHash: hashToken(token),
      purpose: "API_KEY",
      keyName: options.keyName,
      expiresAt,
      userId: options.userId,
    },
  });
  await recordAudit(ctx, {
    action: "magic_link.created",
    userId: options.userId,
    detail: { keyName: options.keyName, expiresAt: expiresAt.toISOString() },
  });
  // Built from the configured base, never from a request's Host header.
  const url = new URL("/auth/verify", ctx.config.PUBLIC_URL);
  url.searchParams.set("token", token);
  return { url: url.toString(), expiresAt };
}

export interface MagicLinkInfo {
  userName: string;
  keyName: string;
  expiresAt: Date;
}

function unusable(link: { usedAt: Date | null; expiresAt: Date } | null): AppError {
  if (!link) return new AppError("NOT_FOUND", "this link is not valid", { reason: "unknown" });
  if (link.usedAt) {
    return new AppError("GONE", "this link has already been used", { reason: "used" });
  }
  return new AppError("GONE", "this link has expired; ask the bot for a new one", {
    reason: "expired",
  });
}

async function findLink(ctx: Context, token: string) {
  if (typeof token !== "string" || token.length < 20 || token.length > 100) return null;
  return ctx.db.magicLink.findUnique({
    where: { tokenHash: hashToken(token) },
    include: { user: { select: { name: true } } },
  });
}

/** What the link would create, without consuming it. */
export async function inspectMagicLink(ctx: Context, token: string): Promise<MagicLinkInfo> {
  const link = await findLink(ctx, token);
  if (!link || link.usedAt || link.expiresAt <= new Date()) throw unusable(link);
  return { userName: link.user.name, keyName: link.keyName, expiresAt: link.expiresAt };
}

/** Consumes the link (once, even under concurrency) and creates its key. */
export async function redeemMagicLink(
  ctx: Context,
  token: string,
  meta: { ip?: string } = {},
): Promise<CreatedKey & { userName: string }> {
  const link = await findLink(ctx, token);
  if (!link) throw unusable(null);
  const user = await ctx.db.user.findUniqueOrThrow({ where: { id: link.userId } });
  const created = await ctx.db.$transaction(async (tx) => {
    // The conditional update is the lock: of two concurrent redemptions,
    // exactly one changes the row.
    const { count } = await tx.magicLink.updateMany({
      where: { id: link.id, usedAt: null, expiresAt: { gt: new Date() } },
      data: { usedAt: new Date() },
    });
    if (count === 0) throw unusable(await tx.magicLink.findUnique({ where: { id: link.id } }));
    return createApiKey(
      ctx,
      {
        userId: user.id,
        name: link.keyName,
        scopes: userScopes(user.role),
        environmentIds: [],
        expiresAt: daysFromNow(ctx.config.API_KEY_DEFAULT_TTL_DAYS),
      },
      tx,
    );
  });
  await recordAudit(ctx, {
    action: "key.created",
    userId: user.id,
    keyId: created.view.keyId,
    ip: meta.ip,
    detail: { name: link.keyName, via: "magic_link" },
  });
  return { ...created, userName: user.name };
}
