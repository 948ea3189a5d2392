// The proxy as the core sees it: switched on or not, there and running or
// not. Berth creates the container itself (never the proxy: it holds no
// Docker socket), at start-up and on every reconcile round.
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
  const { PROXY_CONTAINER: name, PROXY_IMAGE: image } = ctx.config;
  const state = await proxyState(ctx.engine, name, image);
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
    const state = await proxyState(ctx.engine, options.name, options.image);
    if (state === "no-image" || state === "running") return state;
    return (await ensureProxyContainer(ctx.engine, options)).action;
  });
}

/** What /health says about the proxy when it is switched on and not serving. */
export async function proxyWarnings(ctx: Context): Promise<string[]> {
  if (!ctx.config.PROXY_ENABLED) return [];
  const { PROXY_CONTAINER: name, PROXY_IMAGE: image } = ctx.config;
  try {
    const state = await proxyState(ctx.engine, name, image);
    if (state === "running") return [];
    if (state === "no-image") {
      return [
        `proxy image ${image} not found: build it (docker build -t ${image} nginx/); ` +
          "public environments are unavailable until then",
      ];
    }
    return [`proxy container ${name} is ${state}: public environments are not served`];
  } catch (error) {
    return [`proxy: ${(error as Error).message}`];
  }
}
