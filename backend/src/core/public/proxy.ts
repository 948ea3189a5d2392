// The proxy as the core sees it: switched on or not, there and running or
// not. Berth creates the container itself (never the proxy: it holds no
// Docker socket), at start-up and on every reconcile round, or adopts the
// one the production stack started (it carries the same identity labels).
import { ensureProxyContainer, proxyState, type EnsureAction } from "../../proxy/container.js";
import { serialised } from "../../proxy/serial.js";
import { proxyContainerOptions } from "../../proxy/settings.js";
import type { Context } from "../context.js";
import { AppError } from "../errors.js";

export function requireProxyEnabled(ctx: Pick<Context, "config">): void {
  if (!ctx.config.PROXY_ENABLED) {
    throw new AppError(
      "NOT_IMPLEMENTED",
      "public environments are switched off on this Berth (the operator sets PROXY_ENABLED=true)",
    );
  }
}

/** Refuses (503) before anything is written when the proxy cannot act now. */
export async function requireProxyRunning(ctx: Context): Promise<void> {
  const state = await proxyState(ctx.engine, proxyContainerOptions(ctx.config));
  if (state !== "running") {
    throw new AppError("UNAVAILABLE", `the proxy is not running (${state}); try again shortly`, {
      reason: state,
    });
  }
}

/** Creates or starts the proxy container; "no-image" when its image is missing. */
export function ensureProxy(ctx: Context): Promise<EnsureAction | "no-image"> {
  const options = proxyContainerOptions(ctx.config);
  return serialised(`ensure:${options.name}`, async () => {
    if ((await proxyState(ctx.engine, options)) === "no-image") return "no-image";
    // Also refuses (CONFLICT) a container of that name that is not Berth's proxy.
    return (await ensureProxyContainer(ctx.engine, options)).action;
  });
}

const WARNINGS: Record<string, (name: string, image: string) => string> = {
  "no-image": (_name, image) =>
    `proxy image ${image} not found: build it (docker build -t ${image} nginx/); ` +
    "public environments are unavailable until then",
  foreign: (name) =>
    `a container named ${name} is not this Berth's proxy: remove it or set PROXY_CONTAINER`,
  stopped: (name) => `proxy container ${name} is stopped: public environments are not served`,
  missing: (name) => `proxy container ${name} is missing: public environments are not served`,
};

/** What /health says about the proxy when it is switched on and not serving. */
export async function proxyWarnings(ctx: Context): Promise<string[]> {
  if (!ctx.config.PROXY_ENABLED) return [];
  const options = proxyContainerOptions(ctx.config);
  try {
    const state = await proxyState(ctx.engine, options);
    return state === "running" ? [] : [WARNINGS[state]!(options.name, options.image)];
  } catch (error) {
    return [`proxy: ${(error as Error).message}`];
  }
}
