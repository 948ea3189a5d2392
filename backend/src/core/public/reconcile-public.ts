// The reconciler's public step, the backstop of the event loop: the proxy
// container exists and runs, its networks are those of the public
// environments, issuances and removals a restart cut short are finished,
// a site the proxy lost (its volume was replaced) is published again, and
// one nothing claims any more is removed.
import { siteDomains } from "../../proxy/nginx.js";
import { proxyOf } from "../../proxy/settings.js";
import type { Context } from "../context.js";
import { AppError } from "../errors.js";
import { syncProxyNetworks } from "./attachments.js";
import { ensureProxy } from "./proxy.js";
import { publishTaskKey, startPublish } from "./publish.js";
import { removeUnclaimedSites } from "./unclaimed-sites.js";
import { removalTaskKey, removePublicRoute } from "./unpublish.js";

async function resumeInterrupted(ctx: Context, actions: string[]): Promise<void> {
  const rows = await ctx.db.environment.findMany({
    where: { status: "ACTIVE", publicStatus: { in: ["PENDING_CERT", "REMOVING"] } },
    select: { id: true, publicStatus: true },
  });
  for (const { id, publicStatus } of rows) {
    if (publicStatus === "PENDING_CERT" && !ctx.tasks.isRunning(publishTaskKey(id))) {
      void startPublish(ctx, id);
      actions.push(`publish_resumed ${id}`);
    }
    if (publicStatus === "REMOVING" && !ctx.tasks.isRunning(removalTaskKey(id))) {
      void ctx.tasks.run(removalTaskKey(id), () => removePublicRoute(ctx, id));
      actions.push(`unpublish_resumed ${id}`);
    }
  }
}

async function republishLost(ctx: Context, present: Set<string>, actions: string[]) {
  const active = await ctx.db.environment.findMany({
    where: { status: "ACTIVE", publicStatus: "ACTIVE" },
    select: { id: true, publicDomain: true },
  });
  for (const { id, publicDomain } of active) {
    if (publicDomain === null || present.has(publicDomain)) continue;
    const { count } = await ctx.db.environment.updateMany({
      where: { id, publicStatus: "ACTIVE", publicDomain },
      data: { publicStatus: "PENDING_CERT" },
    });
    if (count === 0) continue;
    void startPublish(ctx, id);
    actions.push(`site_restored ${id}`);
  }
}

async function reconcileProxy(ctx: Context, actions: string[]): Promise<void> {
  const ensured = await ensureProxy(ctx);
  if (ensured === "no-image") return; // /health says so
  if (ensured !== "running") actions.push(`proxy_${ensured}`);
  actions.push(...(await syncProxyNetworks(ctx)));
  await resumeInterrupted(ctx, actions);
  // One look at the proxy's sites serves both steps below.
  const present = await siteDomains(proxyOf(ctx.engine, ctx.config));
  await republishLost(ctx, present, actions);
  // While an issuance runs, a moved environment's old site keeps serving
  // until the new one is live: that issuance sweeps when it succeeds.
  if ((await ctx.db.environment.count({ where: { publicStatus: "PENDING_CERT" } })) > 0) return;
  const removed = await removeUnclaimedSites(ctx, present);
  actions.push(...removed.map((domain) => `site_removed ${domain}`));
}

export async function reconcilePublic(ctx: Context, actions: string[]): Promise<void> {
  if (!ctx.config.PROXY_ENABLED) return;
  try {
    await reconcileProxy(ctx, actions);
  } catch (error) {
    // The daemon being away stops the round; a proxy problem (a foreign
    // container holding its name, say: /health names it) must not stop the
    // reconciler's other steps.
    if (AppError.is(error, "UNAVAILABLE")) throw error;
    ctx.log.warn({ err: error }, "public environments not reconciled this round");
  }
}
