// A user's own keys, newest first, never with secrets.
import type { Context } from "../context.js";
import { toKeyView, type KeyView } from "./key-view.js";
import { requireScope, type Actor } from "./scopes.js";

export interface ListApiKeysOptions {
  actor: Actor;
  /** Only keys that still work (the bot's /api_list). */
  activeOnly?: boolean;
}

export async function listApiKeys(ctx: Context, options: ListApiKeysOptions): Promise<KeyView[]> {
  requireScope(options.actor, "keys:manage");
  const now = new Date();
  const rows = await ctx.db.apiKey.findMany({
    where: {
      userId: options.actor.userId,
      ...(options.activeOnly
        ? { revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] }
        : {}),
    },
    orderBy: { createdAt: "desc" },
    take: 200,
  });
  const parents = new Map(rows.map((r) => [r.id, r.keyId]));
  return rows.map((row) =>
    toKeyView(row, row.parentKeyId ? (parents.get(row.parentKeyId) ?? null) : null),
  );
}
