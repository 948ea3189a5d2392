// Revokes one of the actor's own keys. Someone else's key id and an unknown
// one get the same NOT_FOUND, so key ids cannot be probed. A key may always
// revoke itself, even without keys:manage.
import { recordAudit } from "../audit.js";
import type { Context } from "../context.js";
import { AppError } from "../errors.js";
import { toKeyView, type KeyView } from "./key-view.js";
import { requireScope, type Actor } from "./scopes.js";

export interface RevokeApiKeyOptions {
  actor: Actor;
  keyId: string;
  ip?: string;
}

export async function revokeApiKey(ctx: Context, options: RevokeApiKeyOptions): Promise<KeyView> {
  const { actor, keyId } = options;
  if (actor.key?.keyId !== keyId) requireScope(actor, "keys:manage");
  const row = await ctx.db.apiKey.findUnique({ where: { keyId } });
  if (!row || row.userId !== actor.userId) {
    throw new AppError("NOT_FOUND", "no such key", { field: "keyId" });
  }
  if (row.revokedAt) return toKeyView(row);
  const revoked = await ctx.db.apiKey.update({
    where: { id: row.id },
    data: { revokedAt: new Date() },
  });
  // After the commit: any verification from here on reads the revoked row.
  ctx.keys.forget(keyId);
  await recordAudit(ctx, {
    action: "key.revoked",
    userId: actor.userId,
    keyId,
    ip: options.ip,
    detail: { name: row.name, by: actor.key?.keyId ?? "user" },
  });
  return toKeyView(revoked);
}
