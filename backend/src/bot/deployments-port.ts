// The bot's view of the deployments core: the two shapes the bot shows,
// mapped from core/deployments.
import { z } from "zod";
import type { Actor } from "../core/auth/scopes.js";
import type { Context } from "../core/context.js";
import { getDeploymentLogs as getLogs } from "../core/deployments/logs.js";
import { getDeployment } from "../core/deployments/read-deployments.js";

export interface DeploymentStatusView {
  id: string;
  jobId: string;
  environmentName: string;
  serviceName: string;
  image: string;
  tag: string;
  replicas: number;
  /** PENDING … RUNNING | FAILED | SUPERSEDED | REMOVING | REMOVED */
  status: string;
  errorMessage: string | null;
  createdAt: Date;
  finishedAt: Date | null;
  /** Swarm tasks, when known: running / desired. */
  runningTasks?: number;
  desiredTasks?: number;
}

export interface DeploymentLogsView {
  /** Oldest first; at most `tail` lines. */
  lines: string[];
}

/** A deployment id (UUID) or job id, as people paste them. */
export const deploymentRefSchema = z
  .string()
  .trim()
  .min(1, "give a deployment or job id")
  .max(100, "that is not a deployment or job id")
  .regex(/^[\w-]+$/, "that is not a deployment or job id");

export async function getDeploymentStatus(
  ctx: Context,
  options: { actor: Actor; idOrJobId: string },
): Promise<DeploymentStatusView> {
  const d = await getDeployment(ctx, { actor: options.actor, id: options.idOrJobId });
  const env = await ctx.db.environment.findUniqueOrThrow({ where: { id: d.environmentId } });
  const containers = d.containers ?? [];
  return {
    id: d.id,
    jobId: d.jobId,
    environmentName: env.name,
    serviceName: d.serviceName,
    image: d.image,
    tag: d.tag,
    replicas: d.replicas,
    status: d.status,
    errorMessage: d.errorMessage,
    createdAt: d.createdAt,
    finishedAt: d.finishedAt,
    runningTasks: containers.filter((c) => c.state === "running").length,
    desiredTasks: d.replicas,
  };
}

export async function getDeploymentLogs(
  ctx: Context,
  options: { actor: Actor; id: string; tail: number },
): Promise<DeploymentLogsView> {
  const logs = await getLogs(ctx, {
    actor: options.actor,
    id: options.id,
    input: { tail: options.tail },
  });
  return { lines: logs.lines.map((l) => l.text) };
}
