// What can be done to a running service, each recorded as a deployment of
// its own, linked to the one it changes: scale, restart, roll back; and
// removal of the service.
import { z } from "zod";
import type { Deployment } from "../../generated/prisma/client.js";
import { requireScope, type Actor } from "../auth/scopes.js";
import type { Context } from "../context.js";
import { AppError } from "../errors.js";
import { recordDeploymentEvent } from "./events.js";
import { findDeployment } from "./find-deployment.js";
import { checkQuotas, usageWith } from "./quotas.js";
import { currentDeployment, queueDeployment } from "./queue-deployment.js";
import type { Resources } from "./normalize.js";

export const scaleSchema = z.strictObject({ replicas: z.int().min(0).max(100) });

/** The columns that say what runs, copied from one deployment to the next. */
function specOf(d: Deployment) {
  return {
    serviceName: d.serviceName,
    image: d.image,
    tag: d.tag,
    digest: d.digest,
    replicas: d.replicas,
    ports: d.ports as never,
    resources: d.resources as never,
    volumes: d.volumes as never,
    healthcheck: (d.healthcheck ?? undefined) as never,
    command: d.command as never,
    envVars: d.envVars as never,
    registryAuth: d.registryAuth,
  };
}

/** The deployment that serves the service now; operations start from it. */
async function serving(ctx: Context, actor: Actor, id: string) {
  requireScope(actor, "deployments:write");
  const d = await findDeployment(ctx, actor, id);
  const current = await currentDeployment(ctx, d.environmentId, d.serviceName);
  if (!current || current.status !== "RUNNING") {
    throw new AppError(
      "CONFLICT",
      "the service has no running deployment to change; wait for it or deploy again",
      {
        deploymentId: current?.id ?? null,
        status: current?.status ?? null,
      },
    );
  }
  return { env: d.environment, current };
}

export async function scaleDeployment(
  ctx: Context,
  options: { actor: Actor; id: string; input: unknown },
) {
  const { replicas } = scaleSchema.parse(options.input);
  const { env, current } = await serving(ctx, options.actor, options.id);
  if (replicas > ctx.config.DEPLOY_MAX_REPLICAS) {
    throw new AppError(
      "INVALID_INPUT",
      `at most ${ctx.config.DEPLOY_MAX_REPLICAS} replicas on this Berth`,
      { field: "replicas" },
    );
  }
  const resources = current.resources as unknown as Resources;
  checkQuotas(
    ctx.config,
    await usageWith(ctx, env.id, { serviceName: current.serviceName, replicas, resources }),
  );
  return queueDeployment(ctx, {
    actor: options.actor,
    env,
    kind: "SCALE",
    spec: { ...specOf(current), replicas },
    previousDeploymentId: current.id,
  });
}

export async function restartDeployment(ctx: Context, options: { actor: Actor; id: string }) {
  const { env, current } = await serving(ctx, options.actor, options.id);
  return queueDeployment(ctx, {
    actor: options.actor,
    env,
    kind: "RESTART",
    spec: specOf(current),
    previousDeploymentId: current.id,
  });
}

/** The deployment that set the version now serving (scales and restarts keep it). */
async function versionOf(ctx: Context, d: Deployment): Promise<Deployment> {
  let at = d;
  while ((at.kind === "SCALE" || at.kind === "RESTART") && at.previousDeploymentId) {
    const before = await ctx.db.deployment.findUnique({ where: { id: at.previousDeploymentId } });
    if (!before) break;
    at = before;
  }
  return at;
}

/** Back to the version that ran before the serving one, with its exact spec. */
export async function rollbackDeployment(ctx: Context, options: { actor: Actor; id: string }) {
  const { env, current } = await serving(ctx, options.actor, options.id);
  const version = await versionOf(ctx, current);
  const target = await ctx.db.deployment.findFirst({
    where: {
      environmentId: env.id,
      serviceName: current.serviceName,
      status: "SUPERSEDED",
      kind: { notIn: ["SCALE", "RESTART"] },
      id: { lt: version.id },
    },
    orderBy: { id: "desc" },
  });
  if (!target) {
    throw new AppError("CONFLICT", "there is no earlier successful deployment to roll back to");
  }
  return queueDeployment(ctx, {
    actor: options.actor,
    env,
    kind: "ROLLBACK",
    spec: { ...specOf(target), replicas: current.replicas },
    previousDeploymentId: current.id,
  });
}

/** Removes the service of a deployment (the runner does the Docker part). */
export async function deleteDeployment(ctx: Context, options: { actor: Actor; id: string }) {
  requireScope(options.actor, "deployments:write");
  const d = await findDeployment(ctx, options.actor, options.id);
  const live = await ctx.db.deployment.findMany({
    where: {
      environmentId: d.environmentId,
      serviceName: d.serviceName,
      status: { notIn: ["FAILED", "SUPERSEDED", "REMOVED"] },
    },
  });
  if (live.length === 0 && d.status === "REMOVED") return d;
  for (const row of live.filter((r) => r.status !== "REMOVING")) {
    await ctx.db.deployment.update({ where: { id: row.id }, data: { status: "REMOVING" } });
    await recordDeploymentEvent(ctx, row.id, {
      type: "status",
      status: "REMOVING",
      message: "removal requested",
    });
  }
  if (live.length === 0) {
    // Nothing live (all failed): still make sure no service is left behind.
    await ctx.db.deployment.update({ where: { id: d.id }, data: { status: "REMOVING" } });
    await recordDeploymentEvent(ctx, d.id, {
      type: "status",
      status: "REMOVING",
      message: "removal requested",
    });
  }
  ctx.events.emit("deployment.queued", { deploymentId: d.id });
  return ctx.db.deployment.findUniqueOrThrow({ where: { id: d.id } });
}
