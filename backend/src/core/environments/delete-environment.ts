// Marks the environment DELETING and removes it in the background; the
// answer comes at once. Asking again is harmless (and restarts a teardown
// that a crash interrupted).
import { recordAudit } from "../audit.js";
import { requireScope, type Actor } from "../auth/scopes.js";
import type { Context } from "../context.js";
import { findEnvironment } from "./find-environment.js";
import { startTeardown } from "./teardown-environment.js";
import { toEnvironmentView, type EnvironmentView } from "./view.js";

export async function deleteEnvironment(
  ctx: Context,
  options: { actor: Actor; id: string },
): Promise<EnvironmentView> {
  const { actor } = options;
  requireScope(actor, "environments:write");
  const env = await findEnvironment(ctx, actor, options.id);
  const deleting =
    env.status === "DELETING"
      ? env
      : await ctx.db.environment.update({ where: { id: env.id }, data: { status: "DELETING" } });
  if (env.status !== "DELETING") {
    await recordAudit(ctx, {
      action: "environment.deleting",
      userId: actor.userId,
      keyId: actor.key?.keyId,
      environmentId: env.id,
      detail: { name: env.name },
    });
  }
  void startTeardown(ctx, deleting);
  return toEnvironmentView(deleting);
}
