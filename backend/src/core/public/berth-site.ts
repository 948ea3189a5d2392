// Berth's own API through the proxy (PROXY_SERVE_BERTH): PUBLIC_URL's host
// with a certificate, proxied to PROXY_BERTH_UPSTREAM, so keys, magic links,
// MCP clients and the Telegram webhook reach Berth over HTTPS. The same site
// machinery as public environments; kept in place by the proxy loop, which
// tries again with a growing pause until it holds.
import type { Config } from "../../config.js";
import { publishSite } from "../../proxy/nginx.js";
import { acmeOptions, proxyOf } from "../../proxy/settings.js";
import type { Site } from "../../proxy/site-config.js";
import type { Context } from "../context.js";
import { failureText } from "./publish.js";
import { requireProxyRunning } from "./proxy.js";

const FIRST_PAUSE_MS = 30_000;
const LONGEST_PAUSE_MS = 10 * 60_000;

type SiteConfig = Pick<Config, "PROXY_SERVE_BERTH" | "PROXY_BERTH_UPSTREAM" | "PUBLIC_URL">;

/** Why the last attempt failed, per Berth (a keeper belongs to one context). */
const failures = new WeakMap<Context, string>();

/** What /health says while Berth's own site is not in place. */
export function berthSiteWarnings(ctx: Context): string[] {
  const failure = failures.get(ctx);
  const domain = berthSite(ctx.config)?.domain;
  return failure && domain ? [`Berth is not served at https://${domain} yet: ${failure}`] : [];
}

/** The site that serves Berth itself, or null when the operator did not ask for one. */
export function berthSite(config: SiteConfig): Site | null {
  if (!config.PROXY_SERVE_BERTH) return null;
  const [host, port] = config.PROXY_BERTH_UPSTREAM.split(":") as [string, string];
  return {
    domain: new URL(config.PUBLIC_URL).hostname,
    upstreamHost: host,
    upstreamPort: Number(port),
    certificate: "issued",
  };
}

/** One attempt: the certificate (kept while not due) and the HTTPS site. */
export async function serveBerth(ctx: Context): Promise<void> {
  const site = berthSite(ctx.config);
  if (!site) return;
  await requireProxyRunning(ctx);
  await publishSite(proxyOf(ctx.engine, ctx.config), site, acmeOptions(ctx.config));
}

export interface BerthSiteKeeper {
  /** Tries now (at start, and whenever the proxy (re)starts). */
  kick(): void;
  stop(): void;
}

export function keepBerthSite(ctx: Context): BerthSiteKeeper {
  let timer: NodeJS.Timeout | undefined;
  let pause = FIRST_PAUSE_MS;
  const domain = berthSite(ctx.config)?.domain;
  let stopped = domain === undefined;
  const attempt = () =>
    ctx.tasks.run("public:berth", async () => {
      clearTimeout(timer);
      try {
        await serveBerth(ctx);
        failures.delete(ctx);
        pause = FIRST_PAUSE_MS;
        ctx.log.info({ domain }, "Berth is served over HTTPS through the proxy");
      } catch (error) {
        if (stopped) return;
        const reason = failureText(error);
        failures.set(ctx, reason);
        ctx.log.warn(
          { domain, reason, retryInSeconds: pause / 1000 },
          "could not serve Berth through the proxy yet",
        );
        timer = setTimeout(attempt, pause);
        pause = Math.min(pause * 2, LONGEST_PAUSE_MS);
      }
    });
  return {
    kick() {
      if (!stopped) void attempt();
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
