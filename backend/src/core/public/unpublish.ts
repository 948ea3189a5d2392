// Takes an environment off the internet: its site goes (nginx checked and
// reloaded), then its certificate, then the proxy leaves its network, then
// the columns are cleared. The row says REMOVING until the end, so an
// interrupted removal is finished by the reconciler; deleting an
// environment runs the same removal as its first step.
import { removeSite } from "../../proxy/nginx.js";
import { proxyOf } from "../../proxy/settings.js";
import { recordAudit } from "../audit.js";
import { requireScope, type Actor } from "../auth/scopes.js";
import type { Context } from "../context.js";
import { findEnvironment } from "../environments/find-environment.js";
import { detachEnvironment } from "./attachments.js";
import { withPublicLock } from "./lock.js";
import { toPublicView, type PublicView } from "./view.js";

export const removalTaskKey = (environmentId: string) => `unpublish:${environmentId}`;

const CLEARED = {
  publicDomain: null,
  publicService: null,
  publicPort: null,
  publicStatus: "NONE",
  certError: null,
  certIssuedAt: null,
} as const;

/** Removes whatever public route the environment has; idempotent. */
export function removePublicRoute(ctx: Context, environmentId: string): Promise<void> {
  return withPublicLock(environmentId, async () => {
    const env = await ctx.db.environment.findUnique({ where: { id: environmentId } });
    if (!env) return;
    if (ctx.config.PROXY_ENABLED) {
      if (env.publicDomain) await removeSite(proxyOf(ctx.engine, ctx.config), env.publicDomain);
      // Even when not public: a network the proxy is still on cannot be removed.
      await detachEnvironment(ctx, env.networkName);
    }
    if (env.publicStatus === "NONE" && env.publicDomain === null) return;
    await ctx.db.environment.update({ where: { id: env.id }, data: CLEARED });
  });
}

export async function unpublishEnvironment(
  ctx: Context,
  options: { actor: Actor; id: string },
): Promise<PublicView> {
  const { actor } = options;
  requireScope(actor, "environments:write");
  const env = await findEnvironment(ctx, actor, options.id);
  if (env.publicStatus === "NONE") return toPublicView(env);
  await ctx.db.environment.updateMany({
    where: { id: env.id, publicStatus: { not: "NONE" } },
    data: { publicStatus: "REMOVING" },
  });
  await removePublicRoute(ctx, env.id);
  await recordAudit(ctx, {
    action: "environment.unpublished",
    userId: actor.userId,
    keyId: actor.key?.keyId,
    environmentId: env.id,
    detail: { domain: env.publicDomain },
  });
  return toPublicView(await ctx.db.environment.findUniqueOrThrow({ where: { id: env.id } }));
}
