// An environment's public state (REST GET .../public, MCP get_public_status).
import { requireScope, type Actor } from "../auth/scopes.js";
import type { Context } from "../context.js";
import { findEnvironment } from "../environments/find-environment.js";
import { toPublicView, type PublicView } from "./view.js";

export async function getPublicStatus(
  ctx: Context,
  options: { actor: Actor; id: string },
): Promise<PublicView> {
  requireScope(options.actor, "environments:read");
  return toPublicView(await findEnvironment(ctx, options.actor, options.id));
}
