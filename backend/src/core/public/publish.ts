// Issuance in the background: attach the environment's network to the
// proxy, serve the ACME challenge, obtain the certificate, switch the site
// to HTTPS; then ACTIVE, or CERT_FAILED with certbot's (or nginx's) reason.
// After a success, sites no environment claims go (an old domain).
// The owner hears either way (certificate.changed, which the bot delivers).
import type { Environment } from "../../generated/prisma/client.js";
import { publishSite } from "../../proxy/nginx.js";
import { acmeOptions, proxyOf } from "../../proxy/settings.js";
import type { Site } from "../../proxy/site-config.js";
import type { Context } from "../context.js";
import { AppError } from "../errors.js";
import { objectName } from "../environments/names.js";
import { attachEnvironment } from "./attachments.js";
import { withPublicLock } from "./lock.js";
import { removeUnclaimedSites } from "./unclaimed-sites.js";
import type { PublicRoute } from "./resolve-route.js";

const MAX_ERROR_LENGTH = 2000;

export const publishTaskKey = (environmentId: string) => `public:${environmentId}`;

/** The route an environment row holds, when it holds one. */
export function routeOf(env: Environment): PublicRoute | null {
  const { publicDomain: domain, publicService: service, publicPort: port } = env;
  return domain && service && port ? { domain, service, port } : null;
}

/** Upstreams are Berth's own unique Swarm service names (tenants set no aliases). */
export function siteOf(slug: string, route: PublicRoute): Site {
  return {
    domain: route.domain,
    upstreamHost: objectName(slug, route.service),
    upstreamPort: route.port,
    certificate: "issued",
  };
}

/** What the owner is told when it failed: the message and the tool's reason. */
export function failureText(error: unknown): string {
  if (!AppError.is(error)) return "internal error while publishing (see Berth's log)";
  const reason = typeof error.details.reason === "string" ? error.details.reason : "";
  return (reason ? `${error.message}\n${reason}` : error.message).slice(0, MAX_ERROR_LENGTH);
}

async function apply(ctx: Context, env: Environment, route: PublicRoute): Promise<string | null> {
  try {
    await attachEnvironment(ctx, env.networkName);
    await publishSite(
      proxyOf(ctx.engine, ctx.config),
      siteOf(env.slug, route),
      acmeOptions(ctx.config),
    );
    return null;
  } catch (error) {
    ctx.log.warn({ err: error, environmentId: env.id, domain: route.domain }, "publish failed");
    return failureText(error);
  }
}

/** Best effort: the reconciler sweeps again every round. */
async function dropUnclaimed(ctx: Context): Promise<void> {
  try {
    const removed = await removeUnclaimedSites(ctx);
    if (removed.length > 0) ctx.log.info({ domains: removed }, "unclaimed sites removed");
  } catch (error) {
    ctx.log.warn({ err: error }, "could not remove unclaimed sites yet");
  }
}

/** One attempt; true when the row changed meanwhile and needs another look. */
async function publishOnce(ctx: Context, id: string): Promise<boolean> {
  return withPublicLock(id, async () => {
    const env = await ctx.db.environment.findUnique({ where: { id } });
    const route = env && routeOf(env);
    if (!env || !route || env.status !== "ACTIVE" || env.publicStatus !== "PENDING_CERT") {
      return false;
    }
    const error = await apply(ctx, env, route);
    const status = error === null ? "ACTIVE" : "CERT_FAILED";
    const { count } = await ctx.db.environment.updateMany({
      where: {
        id,
        publicStatus: "PENDING_CERT",
        publicDomain: route.domain,
        publicService: route.service,
        publicPort: route.port,
      },
      data: {
        publicStatus: status,
        certError: error,
        // When the domain's certificate was first issued (renewals keep the date).
        ...(status === "ACTIVE" && !env.certIssuedAt ? { certIssuedAt: new Date() } : {}),
      },
    });
    if (count === 0) return true;
    ctx.events.emit("certificate.changed", {
      environmentId: env.id,
      environmentName: env.name,
      ownerId: env.ownerId,
      domain: route.domain,
      status,
      error,
    });
    if (status === "ACTIVE") await dropUnclaimed(ctx);
    return false;
  });
}

/** Publishes in the background (one run per environment at a time). */
export function startPublish(ctx: Context, environmentId: string): Promise<void> {
  return ctx.tasks.run(publishTaskKey(environmentId), async () => {
    // A request that changed the route while a run was applying the old one
    // joined that run: look again until the row holds what was applied.
    while (await publishOnce(ctx, environmentId));
  });
}
