// POST /deployments (and the MCP tool): validate against the operator's
// policy, check the environment and its quotas, then queue. Nothing here
// calls Docker; the job runner does, after the answer (202) has gone.
import type { Actor } from "../auth/scopes.js";
import { requireScope } from "../auth/scopes.js";
import type { Context } from "../context.js";
import { findEnvironment } from "../environments/find-environment.js";
import { AppError } from "../errors.js";
import { checkQuotas, usageWith } from "./quotas.js";
import { currentDeployment, queueDeployment } from "./queue-deployment.js";
import { requestToRow } from "./record.js";
import { validateDeploymentRequest } from "./schema.js";
import { deploymentPolicy } from "./settings.js";

export interface CreateDeploymentOptions {
  actor: Actor;
  input: unknown;
}

export async function createDeployment(ctx: Context, { actor, input }: CreateDeploymentOptions) {
  requireScope(actor, "deployments:write");
  ctx.limits.deployments.take(actor.userId);
  const request = validateDeploymentRequest(input, deploymentPolicy(ctx.config));
  const env = await findEnvironment(ctx, actor, request.environmentId);
  if (env.status !== "ACTIVE") {
    throw new AppError("CONFLICT", `the environment is ${env.status.toLowerCase()}`, {
      field: "environmentId",
    });
  }
  if (request.idempotencyKey) {
    const earlier = await ctx.db.deployment.findUnique({
      where: {
        environmentId_idempotencyKey: {
          environmentId: env.id,
          idempotencyKey: request.idempotencyKey,
        },
      },
    });
    if (earlier) return { deployment: earlier, created: false };
  }
  checkQuotas(ctx.config, await usageWith(ctx, env.id, { serviceName: request.name, ...request }));
  const previous = await currentDeployment(ctx, env.id, request.name);
  try {
    const deployment = await queueDeployment(ctx, {
      actor,
      env,
      kind: previous ? "UPDATE" : "CREATE",
      spec: requestToRow(ctx.config.ENCRYPTION_KEY, request),
      previousDeploymentId: previous?.id,
      idempotencyKey: request.idempotencyKey,
    });
    return { deployment, created: true };
  } catch (error) {
    // Two retries with one idempotency key raced: the first one wins.
    if ((error as { code?: string }).code === "P2002" && request.idempotencyKey) {
      const earlier = await ctx.db.deployment.findUniqueOrThrow({
        where: {
          environmentId_idempotencyKey: {
            environmentId: env.id,
            idempotencyKey: request.idempotencyKey,
          },
        },
      });
      return { deployment: earlier, created: false };
    }
    throw error;
  }
}
