// Started with Berth when the proxy is switched on: makes sure the proxy
// container exists, then follows Docker's events for it and re-attaches
// every public environment's network whenever it (re)starts, e.g. after it
// was recreated, without waiting for the next reconcile round. With
// PROXY_SERVE_BERTH it also keeps Berth's own HTTPS site in place.
import { watchContainerStarts } from "../../proxy/events.js";
import type { Context } from "../context.js";
import { syncProxyNetworks } from "./attachments.js";
import { keepBerthSite } from "./berth-site.js";
import { ensureProxy } from "./proxy.js";

export interface ProxyLoop {
  stop(): Promise<void>;
}

async function ensureAtStart(ctx: Context): Promise<void> {
  const { PROXY_IMAGE: image, PROXY_CONTAINER: name } = ctx.config;
  try {
    const ensured = await ensureProxy(ctx);
    if (ensured === "no-image") {
      ctx.log.warn(
        { image },
        `the proxy image is missing: public environments are unavailable; build it with docker build -t ${image} nginx/`,
      );
    } else if (ensured !== "running") ctx.log.info({ container: name }, `proxy ${ensured}`);
  } catch (error) {
    ctx.log.warn({ err: error, container: name }, "could not ensure the proxy container yet");
  }
}

export async function startProxyLoop(ctx: Context): Promise<ProxyLoop> {
  if (!ctx.config.PROXY_ENABLED) return { stop: () => Promise.resolve() };
  await ensureAtStart(ctx);
  const berthSite = keepBerthSite(ctx);
  let last: Promise<unknown> = Promise.resolve();
  const resync = () => {
    berthSite.kick();
    // Syncs run one at a time (attachments.ts): awaiting the last awaits all.
    last = syncProxyNetworks(ctx).then(
      (actions) => {
        if (actions.length > 0) ctx.log.info({ actions }, "proxy networks re-attached");
      },
      (error: unknown) => ctx.log.warn({ err: error }, "could not sync the proxy's networks"),
    );
  };
  const watch = watchContainerStarts(ctx.engine, ctx.config.PROXY_CONTAINER, {
    onStart: resync,
    onError: (error) => ctx.log.debug({ err: error }, "proxy event stream lost; reopening"),
  });
  return {
    async stop() {
      watch.stop();
      berthSite.stop();
      await last;
    },
  };
}
