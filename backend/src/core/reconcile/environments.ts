// Environments whose Docker side disagrees with their row: a network of an
// ACTIVE environment removed behind Berth's back is recreated, a create that
// a crash interrupted is finished, and a DELETING environment is torn down.
import { ensureNetwork } from "../../orchestrator/swarm.js";
import { recordAudit } from "../audit.js";
import type { Context } from "../context.js";
import { environmentLabels } from "../environments/names.js";
import { startTeardown } from "../environments/teardown-environment.js";

const STALE_CREATE_MS = 60_000;

export async function repairEnvironments(ctx: Context, actions: string[]): Promise<void> {
  const envs = await ctx.db.environment.findMany({
    where: { status: { in: ["ACTIVE", "CREATING", "DELETING"] } },
  });
  for (const env of envs) {
    if (env.status === "DELETING") {
      if (!ctx.tasks.isRunning(`teardown:${env.id}`)) {
        actions.push(`teardown ${env.id}`);
        void startTeardown(ctx, env);
      }
      continue;
    }
    if (env.status === "CREATING" && Date.now() - env.createdAt.getTime() < STALE_CREATE_MS)
      continue;
    const networkId = await ensureNetwork(ctx.engine, {
      name: env.networkName,
      labels: environmentLabels(ctx.config, env),
      encrypted: ctx.config.NETWORK_ENCRYPTED,
    });
    if (networkId === env.networkId && env.status === "ACTIVE") continue;
    await ctx.db.environment.update({
      where: { id: env.id },
      data: { networkId, status: "ACTIVE" },
    });
    const action = env.status === "CREATING" ? "creation_finished" : "network_recreated";
    actions.push(`${action} ${env.id}`);
    await recordAudit(ctx, {
      action: `reconciler.${action}`,
      userId: env.ownerId,
      environmentId: env.id,
      detail: { network: env.networkName, networkId },
    });
  }
}
