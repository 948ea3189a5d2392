// The one place that decides whether an actor can see a deployment: through
// its environment (owner, key limits). Not allowed and unknown look the same.
import type { Actor } from "../auth/scopes.js";
import { keyAllowsEnvironment } from "../auth/scopes.js";
import type { Context } from "../context.js";
import { AppError } from "../errors.js";

export function deploymentNotFound(): AppError {
  return new AppError("NOT_FOUND", "no such deployment", { field: "deploymentId" });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** By deployment id or by public job id. */
export async function findDeployment(ctx: Pick<Context, "db">, actor: Actor, idOrJobId: string) {
  const where = UUID.test(idOrJobId)
    ? { id: idOrJobId }
    : /^job_[A-Za-z0-9_-]{8,40}$/.test(idOrJobId)
      ? { jobId: idOrJobId }
      : null;
  const deployment = where
    ? await ctx.db.deployment.findUnique({ where, include: { environment: true } })
    : null;
  if (
    !deployment ||
    deployment.environment.ownerId !== actor.userId ||
    !keyAllowsEnvironment(actor, deployment.environmentId)
  ) {
    throw deploymentNotFound();
  }
  return deployment;
}
