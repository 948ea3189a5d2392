// Which environment networks the proxy container is on: exactly those of
// the public environments. The control plane attaches them (the proxy holds
// no Docker socket); a proxy that was recreated starts on none, so the event
// loop and every reconcile round bring the two back in line. All changes to
// the attachments run one at a time, and a sweep reads the rows inside that
// turn, so it never undoes an attachment a publish just made.
import { LABEL, instanceLabels } from "../../orchestrator/labels.js";
import { listNetworks } from "../../orchestrator/swarm.js";
import { attachedNetworks, connectProxy, disconnectProxy } from "../../proxy/container.js";
import { serialised } from "../../proxy/serial.js";
import { proxyIdentity } from "../../proxy/settings.js";
import type { Context } from "../context.js";

/** Public states whose environment's network the proxy needs. */
export const ATTACHED_STATES = ["PENDING_CERT", "ACTIVE", "CERT_FAILED"] as const;

function inTurn<T>(ctx: Context, work: () => Promise<T>): Promise<T> {
  return serialised(`attach:${ctx.config.PROXY_CONTAINER}`, work);
}

export function attachEnvironment(ctx: Context, networkName: string): Promise<void> {
  const { PROXY_CONTAINER: proxy } = ctx.config;
  return inTurn(ctx, () => connectProxy(ctx.engine, proxy, networkName, proxyIdentity(ctx.config)));
}

export function detachEnvironment(ctx: Context, networkName: string): Promise<void> {
  return inTurn(ctx, () => disconnectProxy(ctx.engine, ctx.config.PROXY_CONTAINER, networkName));
}

async function wantedNetworks(ctx: Context): Promise<Set<string>> {
  const rows = await ctx.db.environment.findMany({
    where: { status: "ACTIVE", publicStatus: { in: [...ATTACHED_STATES] } },
    select: { networkName: true },
  });
  return new Set(rows.map((row) => row.networkName));
}

/** This Berth's environment networks (never anything else the proxy is on). */
async function environmentNetworks(ctx: Context): Promise<string[]> {
  const networks = await listNetworks(ctx.engine, instanceLabels(ctx.config.BERTH_INSTANCE));
  return networks.filter((n) => n.Labels?.[LABEL.environment]).map((n) => n.Name);
}

/** Attaches what is missing and detaches what is no longer public; returns what it did. */
export function syncProxyNetworks(ctx: Context): Promise<string[]> {
  const proxy = ctx.config.PROXY_CONTAINER;
  return inTurn(ctx, async () => {
    const identity = proxyIdentity(ctx.config);
    const attached = await attachedNetworks(ctx.engine, proxy, identity);
    if (!attached) return []; // no proxy container (yet), or not ours
    const wanted = await wantedNetworks(ctx);
    const actions: string[] = [];
    for (const network of wanted) {
      if (attached.has(network)) continue;
      try {
        await connectProxy(ctx.engine, proxy, network, identity);
        actions.push(`proxy_attached ${network}`);
      } catch (error) {
        ctx.log.warn({ err: error, network }, "could not attach the proxy; will retry");
      }
    }
    for (const network of await environmentNetworks(ctx)) {
      if (!attached.has(network) || wanted.has(network)) continue;
      await disconnectProxy(ctx.engine, proxy, network);
      actions.push(`proxy_detached ${network}`);
    }
    return actions;
  });
}
