// Removes everything an environment has in Docker, in order, then its row:
// its public route (the proxy issue), its services and their secrets, its
// volumes once the services' containers are gone, and its network. Every
// step is idempotent, so an interrupted teardown is finished by the next
// attempt or by the reconciler (the row stays DELETING until the end).
import type { Environment } from "../../generated/prisma/client.js";
import { waitForNoContainers } from "../../orchestrator/containers.js";
import { listSecrets, removeSecret } from "../../orchestrator/secrets.js";
import { listServices, removeNetwork, removeService } from "../../orchestrator/swarm.js";
import { listVolumes, removeVolume } from "../../orchestrator/volumes.js";
import { recordAudit } from "../audit.js";
import type { Context } from "../context.js";
import { removePublicRoute } from "../public/unpublish.js";
import { environmentSelector } from "./names.js";

async function removeNetworkWhenFree(ctx: Context, env: Environment) {
  const selector = environmentSelector(ctx.config, env.id);
  // The network lingers in use for a moment after its last task stops.
  for (let attempt = 0; ; attempt++) {
    try {
      await removeNetwork(ctx.engine, env.networkName, selector);
      return;
    } catch (error) {
      if (attempt >= 40) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

export async function teardownEnvironment(ctx: Context, env: Environment): Promise<void> {
  const selector = environmentSelector(ctx.config, env.id);
  await removePublicRoute(ctx, env.id);
  for (const service of await listServices(ctx.engine, selector)) {
    await removeService(ctx.engine, service.Spec!.Name!, selector);
  }
  for (const secret of await listSecrets(ctx.engine, selector)) {
    await removeSecret(ctx.engine, secret.ID);
  }
  await waitForNoContainers(ctx.engine, selector);
  for (const volume of await listVolumes(ctx.engine, selector)) {
    await removeVolume(ctx.engine, volume.Name, selector);
  }
  await removeNetworkWhenFree(ctx, env);
  await ctx.db.environment.deleteMany({ where: { id: env.id, status: "DELETING" } });
  await recordAudit(ctx, {
    action: "environment.deleted",
    userId: env.ownerId,
    environmentId: env.id,
    detail: { name: env.name, network: env.networkName },
  });
}

/** Runs the teardown in the background (once at a time per environment). */
export function startTeardown(ctx: Context, env: Environment): Promise<void> {
  return ctx.tasks.run(`teardown:${env.id}`, () => teardownEnvironment(ctx, env));
}
