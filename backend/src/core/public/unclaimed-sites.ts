// Sites on the proxy that nothing claims any more: the old domain of an
// environment that moved to a new one, or what a crash left behind. A site
// stays while any environment row holds its domain (whatever its state) or
// it is Berth's own; the rest go, with their certificates.
import { removeSite, siteDomains } from "../../proxy/nginx.js";
import { proxyOf } from "../../proxy/settings.js";
import type { Context } from "../context.js";
import { berthSite } from "./berth-site.js";

/**
 * Removes the unclaimed sites; returns their domains. `present`: the proxy's
 * sites when the caller has just listed them.
 */
export async function removeUnclaimedSites(ctx: Context, present?: Set<string>): Promise<string[]> {
  const proxy = proxyOf(ctx.engine, ctx.config);
  present ??= await siteDomains(proxy);
  if (present.size === 0) return [];
  const rows = await ctx.db.environment.findMany({
    where: { publicDomain: { in: [...present] } },
    select: { publicDomain: true },
  });
  const claimed = new Set(rows.map((row) => row.publicDomain));
  const own = berthSite(ctx.config)?.domain;
  const unclaimed = [...present].filter((domain) => !claimed.has(domain) && domain !== own);
  for (const domain of unclaimed) await removeSite(proxy, domain);
  return unclaimed;
}
