// Reading deployments: one (with its containers, refreshed from Swarm when it
// is the one serving), a page of an environment's, and a deployment's events.
import { z } from "zod";
import { listTasks } from "../../orchestrator/swarm.js";
import { requireScope, type Actor } from "../auth/scopes.js";
import type { Context } from "../context.js";
import { findEnvironment } from "../environments/find-environment.js";
import { snapshot, type RawTask } from "./assess-tasks.js";
import { toEventView } from "./events.js";
import { findDeployment } from "./find-deployment.js";
import { toDeploymentView } from "./view.js";
import { recordContainers } from "./watch-deployment.js";
import type { Deployment } from "../../generated/prisma/client.js";

/** Refreshes the serving deployment's containers from Swarm (best effort). */
async function refreshContainers(ctx: Context, d: Deployment & { serviceId: string }) {
  const tasks = (await listTasks(ctx.engine, d.serviceId).catch(() => null)) as RawTask[] | null;
  if (!tasks) return;
  const current = tasks.map(snapshot).filter((s) => s.desiredState === "running");
  await recordContainers(ctx, d.id, current, d.healthcheck !== null);
  await ctx.db.container.deleteMany({
    where: { deploymentId: d.id, taskId: { notIn: current.map((t) => t.id) } },
  });
}

export async function getDeployment(ctx: Context, options: { actor: Actor; id: string }) {
  requireScope(options.actor, "deployments:read");
  const d = await findDeployment(ctx, options.actor, options.id);
  if (d.status === "RUNNING" && d.serviceId)
    await refreshContainers(ctx, { ...d, serviceId: d.serviceId });
  const containers = await ctx.db.container.findMany({
    where: { deploymentId: d.id },
    orderBy: [{ slot: "asc" }, { taskId: "asc" }],
  });
  return toDeploymentView(d, containers);
}

export const listDeploymentsSchema = z.strictObject({
  cursor: z.uuid("cursor must come from a previous page").optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  service: z.string().max(64).optional(),
});

/** An environment's deployments, newest first, a page at a time. */
export async function listDeployments(
  ctx: Context,
  options: { actor: Actor; environmentId: string; input?: unknown },
) {
  requireScope(options.actor, "deployments:read");
  const env = await findEnvironment(ctx, options.actor, options.environmentId);
  const { cursor, limit, service } = listDeploymentsSchema.parse(options.input ?? {});
  const rows = await ctx.db.deployment.findMany({
    where: {
      environmentId: env.id,
      ...(service ? { serviceName: service } : {}),
      ...(cursor ? { id: { lt: cursor } } : {}),
    },
    orderBy: { id: "desc" },
    take: limit + 1,
  });
  const page = rows.slice(0, limit);
  return {
    deployments: page.map((d) => toDeploymentView(d)),
    nextCursor: rows.length > limit ? page[page.length - 1]!.id : null,
  };
}

/** A deployment's event log after `afterId` (for SSE resumption). */
export async function deploymentEvents(
  ctx: Context,
  options: { actor: Actor; id: string; afterId?: string },
) {
  requireScope(options.actor, "deployments:read");
  const d = await findDeployment(ctx, options.actor, options.id);
  const after =
    options.afterId && /^[0-9]{1,19}$/.test(options.afterId) ? BigInt(options.afterId) : 0n;
  const rows = await ctx.db.deploymentEvent.findMany({
    where: { deploymentId: d.id, id: { gt: after } },
    orderBy: { id: "asc" },
    take: 1000,
  });
  return { deployment: d, events: rows.map(toEventView) };
}
