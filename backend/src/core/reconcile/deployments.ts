// Deployments that claim to be RUNNING but whose service is gone (removed
// behind Berth's back): Berth says so instead of reporting a ghost.
import { inspectService } from "../../orchestrator/swarm.js";
import type { Context } from "../context.js";
import { announceFinished, recordDeploymentEvent } from "../deployments/events.js";
import { objectName } from "../environments/names.js";

export async function checkRunningDeployments(ctx: Context, actions: string[]): Promise<void> {
  const running = await ctx.db.deployment.findMany({
    where: { status: "RUNNING", environment: { status: "ACTIVE" } },
    include: { environment: true },
  });
  for (const d of running) {
    if (await inspectService(ctx.engine, objectName(d.environment.slug, d.serviceName))) continue;
    const reason = "the service was removed outside Berth";
    const { count } = await ctx.db.deployment.updateMany({
      where: { id: d.id, status: "RUNNING" },
      data: { status: "FAILED", errorMessage: reason, finishedAt: new Date() },
    });
    if (count === 0) continue;
    await recordDeploymentEvent(ctx, d.id, {
      type: "status",
      status: "FAILED",
      message: `failed: ${reason}`,
    });
    announceFinished(ctx, { ...d, status: "FAILED", errorMessage: reason });
    actions.push(`service_vanished ${d.id}`);
  }
}
