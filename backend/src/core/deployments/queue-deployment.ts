// Writes a deployment row and its first event in one transaction and wakes
// the job runner. Every way of starting work on a service (create, update,
// scale, restart, rollback) ends here.
import { nanoid } from "nanoid";
import type { DeploymentKind, Environment, Prisma } from "../../generated/prisma/client.js";
import type { Actor } from "../auth/scopes.js";
import type { Context } from "../context.js";
import { recordDeploymentEvent } from "./events.js";

export interface QueueOptions {
  actor: Actor;
  env: Environment;
  kind: DeploymentKind;
  /** What to run: row fields from requestToRow (or copied from another row). */
  spec: Omit<Prisma.DeploymentUncheckedCreateInput, "jobId" | "environmentId" | "kind">;
  previousDeploymentId?: string | null;
  idempotencyKey?: string;
}

const STEP: Record<DeploymentKind, string> = {
  CREATE: "deployment queued",
  UPDATE: "update queued",
  ROLLBACK: "rollback queued",
  SCALE: "scale queued",
  RESTART: "restart queued",
};

export async function queueDeployment(ctx: Context, options: QueueOptions) {
  const deployment = await ctx.db.deployment.create({
    data: {
      ...options.spec,
      jobId: `job_${nanoid(16)}`,
      kind: options.kind,
      environmentId: options.env.id,
      previousDeploymentId: options.previousDeploymentId ?? null,
      idempotencyKey: options.idempotencyKey ?? null,
      createdById: options.actor.userId,
      status: "PENDING",
    },
  });
  await recordDeploymentEvent(ctx, deployment.id, {
    type: "status",
    status: "PENDING",
    message: STEP[options.kind],
    data: { kind: options.kind, by: options.actor.key?.keyId ?? "user" },
  });
  ctx.events.emit("deployment.queued", { deploymentId: deployment.id });
  return deployment;
}

/** The deployment currently serving a service (or being rolled out), if any. */
export function currentDeployment(
  ctx: Pick<Context, "db">,
  environmentId: string,
  serviceName: string,
) {
  return ctx.db.deployment.findFirst({
    where: {
      environmentId,
      serviceName,
      status: { notIn: ["FAILED", "SUPERSEDED", "REMOVED", "REMOVING"] },
    },
    orderBy: { id: "desc" },
  });
}
