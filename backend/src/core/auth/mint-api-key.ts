// A key with keys:manage cuts a narrower, shorter-lived key from itself:
// how a person hands an AI agent a deploy-only key for one environment.
import { recordAudit } from "../audit.js";
import type { Context } from "../context.js";
import { AppError } from "../errors.js";
import { createApiKey, daysFromNow, type CreatedKey } from "./create-api-key.js";
import type { MintKeyInput } from "./schemas.js";
import { effectiveScopes, requireScope, type Actor } from "./scopes.js";

export interface MintApiKeyOptions {
  actor: Actor;
  input: MintKeyInput;
  ip?: string;
}

async function allowedEnvironments(ctx: Context, actor: Actor, requested?: string[]) {
  if (!requested || requested.length === 0) return actor.environmentIds;
  const outside = requested.filter(
    (id) => actor.environmentIds.length > 0 && !actor.environmentIds.includes(id),
  );
  if (outside.length > 0) {
    throw new AppError("FORBIDDEN", "a minted key cannot reach environments its parent cannot", {
      field: "environmentIds",
      environmentIds: outside,
    });
  }
  const owned = await ctx.db.environment.count({
    where: { id: { in: requested }, ownerId: actor.userId },
  });
  if (owned !== new Set(requested).size) {
    throw new AppError("NOT_FOUND", "one of environmentIds is not an environment of yours", {
      field: "environmentIds",
    });
  }
  return [...new Set(requested)];
}

function expiry(ctx: Context, actor: Actor, seconds?: number): Date {
  const now = new Date();
  const max = daysFromNow(ctx.config.API_KEY_MAX_TTL_DAYS, now);
  const wanted = seconds
    ? new Date(now.getTime() + seconds * 1000)
    : daysFromNow(ctx.config.API_KEY_DEFAULT_TTL_DAYS, now);
  if (wanted > max) {
    throw new AppError(
      "INVALID_INPUT",
      `a key lives at most ${ctx.config.API_KEY_MAX_TTL_DAYS} days`,
      { field: "expiresInSeconds" },
    );
  }
  const parentEnd = actor.key?.expiresAt;
  if (parentEnd && wanted > parentEnd) {
    if (seconds) {
      throw new AppError("FORBIDDEN", "a minted key cannot outlive the key that mints it", {
        field: "expiresInSeconds",
        parentExpiresAt: parentEnd.toISOString(),
      });
    }
    return parentEnd;
  }
  return wanted;
}

export async function mintApiKey(ctx: Context, options: MintApiKeyOptions): Promise<CreatedKey> {
  const { actor, input } = options;
  requireScope(actor, "keys:manage");
  const granted = effectiveScopes(actor.scopes);
  const missing = input.scopes.find((scope) => !granted.has(scope));
  if (missing) {
    throw new AppError(
      "FORBIDDEN",
      `cannot grant ${missing}: the key minting it does not have it`,
      {
        field: "scopes",
        scope: missing,
      },
    );
  }
  const environmentIds = await allowedEnvironments(ctx, actor, input.environmentIds);
  const created = await createApiKey(ctx, {
    userId: actor.userId,
    name: input.name,
    scopes: [...new Set(input.scopes)],
    environmentIds,
    expiresAt: expiry(ctx, actor, input.expiresInSeconds),
    parentKeyId: actor.key?.id ?? null,
  });
  await recordAudit(ctx, {
    action: "key.minted",
    userId: actor.userId,
    keyId: created.view.keyId,
    ip: options.ip,
    detail: { name: input.name, scopes: created.view.scopes, mintedBy: actor.key?.keyId ?? null },
  });
  return { ...created, view: { ...created.view, mintedBy: actor.key?.keyId ?? null } };
}
