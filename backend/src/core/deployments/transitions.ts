// Moving a deployment from one state to the next. Each move is conditional
// on the state the job believes it is in and on holding the job's lock, so
// a job that lost its lock (or whose deployment was deleted meanwhile)
// stops instead of overwriting someone else's work.
import type { Deployment, DeploymentStatus } from "../../generated/prisma/client.js";
import type { Context } from "../context.js";
import { recordDeploymentEvent } from "./events.js";

/** Thrown when the deployment is no longer this job's to move. */
export class JobAborted extends Error {
  constructor(readonly deploymentId: string) {
    super(`deployment ${deploymentId} changed under its job`);
    this.name = "JobAborted";
  }
}

export interface Holder {
  /** The runner's lock name (lockedBy). */
  owner: string;
}

export async function advance(
  ctx: Context,
  holder: Holder,
  d: Pick<Deployment, "id" | "status">,
  to: DeploymentStatus,
  message: string,
  extra: { errorMessage?: string; data?: Record<string, unknown> } = {},
): Promise<void> {
  const terminal = to === "RUNNING" || to === "FAILED" || to === "REMOVED";
  const { count } = await ctx.db.deployment.updateMany({
    where: { id: d.id, status: d.status, lockedBy: holder.owner },
    data: {
      status: to,
      ...(extra.errorMessage !== undefined ? { errorMessage: extra.errorMessage } : {}),
      ...(terminal ? { finishedAt: new Date(), lockedBy: null, lockedUntil: null } : {}),
    },
  });
  if (count === 0) throw new JobAborted(d.id);
  d.status = to;
  await recordDeploymentEvent(ctx, d.id, {
    type: "status",
    status: to,
    message,
    ...(extra.data ? { data: extra.data as never } : {}),
  });
}

/** A progress message (no state change). */
export async function progress(
  ctx: Context,
  deploymentId: string,
  message: string,
  data?: Record<string, unknown>,
) {
  await recordDeploymentEvent(ctx, deploymentId, {
    type: "progress",
    message,
    ...(data ? { data: data as never } : {}),
  });
}
