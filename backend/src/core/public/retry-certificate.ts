// Tries the certificate again after CERT_FAILED (or after an issuance that
// Berth's restart cut short), with the route the environment already has.
import { requireScope, type Actor } from "../auth/scopes.js";
import type { Context } from "../context.js";
import { AppError } from "../errors.js";
import { findEnvironment } from "../environments/find-environment.js";
import { requireProxyEnabled, requireProxyRunning } from "./proxy.js";
import { publishTaskKey, startPublish } from "./publish.js";
import { toPublicView, type PublicView } from "./view.js";

export async function retryCertificate(
  ctx: Context,
  options: { actor: Actor; id: string },
): Promise<PublicView> {
  const { actor } = options;
  requireScope(actor, "environments:write");
  const env = await findEnvironment(ctx, actor, options.id);
  requireProxyEnabled(ctx);
  const stuck = env.publicStatus === "PENDING_CERT" && !ctx.tasks.isRunning(publishTaskKey(env.id));
  if (env.publicStatus !== "CERT_FAILED" && !stuck) {
    throw new AppError("CONFLICT", `nothing to retry: the public status is ${env.publicStatus}`);
  }
  await requireProxyRunning(ctx);
  const { count } = await ctx.db.environment.updateMany({
    where: { id: env.id, status: "ACTIVE", publicStatus: env.publicStatus },
    data: { publicStatus: "PENDING_CERT", certError: null },
  });
  if (count === 0) throw new AppError("CONFLICT", "the environment changed meanwhile; try again");
  void startPublish(ctx, env.id);
  return toPublicView(await ctx.db.environment.findUniqueOrThrow({ where: { id: env.id } }));
}
