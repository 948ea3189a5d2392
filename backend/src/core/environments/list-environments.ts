// The actor's environments, oldest first, a page at a time (cursor = the
// last id of the previous page; ids are time-ordered UUIDv7).
import { requireScope, type Actor } from "../auth/scopes.js";
import type { Context } from "../context.js";
import { listEnvironmentsSchema, type ListEnvironmentsInput } from "./schemas.js";
import { toEnvironmentView, type EnvironmentView } from "./view.js";

export interface EnvironmentPage {
  environments: EnvironmentView[];
  nextCursor: string | null;
}

export async function listEnvironments(
  ctx: Context,
  options: { actor: Actor; input?: ListEnvironmentsInput },
): Promise<EnvironmentPage> {
  const { actor } = options;
  requireScope(actor, "environments:read");
  const { cursor, limit } = listEnvironmentsSchema.parse(options.input ?? {});
  const rows = await ctx.db.environment.findMany({
    where: {
      ownerId: actor.userId,
      AND: [
        actor.environmentIds.length > 0 ? { id: { in: actor.environmentIds } } : {},
        cursor ? { id: { gt: cursor } } : {},
      ],
    },
    orderBy: { id: "asc" },
    take: limit + 1,
  });
  const page = rows.slice(0, limit);
  return {
    environments: page.map(toEnvironmentView),
    nextCursor: rows.length > limit ? page[page.length - 1]!.id : null,
  };
}
