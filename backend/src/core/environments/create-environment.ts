// Creates an environment: its row, then its overlay network. Quota and name
// are checked before any Docker call; if the network cannot be made the row
// is removed again, so nothing is left half-written.
import { ensureNetwork } from "../../orchestrator/swarm.js";
import { recordAudit } from "../audit.js";
import { requireScope, type Actor } from "../auth/scopes.js";
import type { Context } from "../context.js";
import { AppError } from "../errors.js";
import { environmentLabels, networkName, newSlug } from "./names.js";
import type { CreateEnvironmentInput } from "./schemas.js";
import { toEnvironmentView, type EnvironmentView } from "./view.js";

export interface CreateEnvironmentOptions {
  actor: Actor;
  input: CreateEnvironmentInput;
}

async function checkAllowed(ctx: Context, actor: Actor, name: string) {
  requireScope(actor, "environments:write");
  if (actor.environmentIds.length > 0) {
    throw new AppError("FORBIDDEN", "this API key is limited to existing environments");
  }
  const existing = await ctx.db.environment.findUnique({
    where: { ownerId_name: { ownerId: actor.userId, name } },
  });
  if (existing) {
    throw new AppError("CONFLICT", `you already have an environment named ${name}`, {
      field: "name",
      environmentId: existing.id,
    });
  }
  const quota = ctx.config.QUOTA_ENVIRONMENTS_PER_USER;
  const count = await ctx.db.environment.count({ where: { ownerId: actor.userId } });
  if (count >= quota) {
    throw new AppError("QUOTA_EXCEEDED", `quota reached: at most ${quota} environments per user`, {
      quota: "environments_per_user",
      limit: quota,
      current: count,
    });
  }
}

export async function createEnvironment(
  ctx: Context,
  { actor, input }: CreateEnvironmentOptions,
): Promise<EnvironmentView> {
  await checkAllowed(ctx, actor, input.name);
  await ctx.engine.version(); // 503 now if the daemon is away, before any write
  const slug = newSlug(input.name);
  const env = await ctx.db.environment
    .create({
      data: { name: input.name, slug, networkName: networkName(slug), ownerId: actor.userId },
    })
    .catch((error: unknown) => {
      // A concurrent create of the same name lost the race on the unique index.
      if ((error as { code?: string }).code === "P2002") {
        throw new AppError("CONFLICT", `you already have an environment named ${input.name}`, {
          field: "name",
        });
      }
      throw error;
    });
  try {
    const networkId = await ensureNetwork(ctx.engine, {
      name: env.networkName,
      labels: environmentLabels(ctx.config, env),
      encrypted: ctx.config.NETWORK_ENCRYPTED,
    });
    const active = await ctx.db.environment.update({
      where: { id: env.id },
      data: { networkId, status: "ACTIVE" },
    });
    await recordAudit(ctx, {
      action: "environment.created",
      userId: actor.userId,
      keyId: actor.key?.keyId,
      environmentId: env.id,
      detail: { name: env.name, network: env.networkName },
    });
    return toEnvironmentView(active);
  } catch (error) {
    await ctx.db.environment.delete({ where: { id: env.id } }).catch(() => undefined);
    throw error;
  }
}
