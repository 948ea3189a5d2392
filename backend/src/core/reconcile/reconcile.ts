// The reconciler: makes the database and Docker agree, at start-up and
// periodically. While the Docker daemon is away it waits; when the daemon is
// back the next round repairs what changed.
import type { Context } from "../context.js";
import { checkRunningDeployments } from "./deployments.js";
import { repairEnvironments } from "./environments.js";
import { removeOrphans } from "./orphans.js";

export interface ReconcileReport {
  actions: string[];
  skipped?: string;
}

export async function reconcile(ctx: Context): Promise<ReconcileReport> {
  await ctx.egress.ensure();
  const actions: string[] = [];
  try {
    await ctx.engine.version();
    await repairEnvironments(ctx, actions);
    await removeOrphans(ctx, actions);
    await checkRunningDeployments(ctx, actions);
  } catch (error) {
    ctx.log.warn({ err: error }, "reconcile round stopped");
    return { actions, skipped: (error as Error).message };
  }
  if (actions.length > 0) ctx.log.info({ actions }, "reconciled");
  return { actions };
}

/** Runs `reconcile` now and then every interval, one round at a time. */
export function startReconciler(ctx: Context): { stop(): Promise<void> } {
  let round: Promise<unknown> = reconcile(ctx);
  const seconds = ctx.config.RECONCILE_INTERVAL_SECONDS;
  const timer =
    seconds > 0
      ? setInterval(() => {
          round = round.then(() => reconcile(ctx));
        }, seconds * 1000)
      : undefined;
  timer?.unref();
  return {
    async stop() {
      clearInterval(timer);
      await round;
    },
  };
}
