// The one place that decides whether an actor can see an environment.
// Another user's environment, or one the key is not limited to, is answered
// exactly like one that does not exist (no enumeration), through every door.
import type { Actor } from "../auth/scopes.js";
import { keyAllowsEnvironment } from "../auth/scopes.js";
import type { Context } from "../context.js";
import { AppError } from "../errors.js";

export function environmentNotFound(): AppError {
  return new AppError("NOT_FOUND", "no such environment", { field: "environmentId" });
}

export async function findEnvironment(ctx: Pick<Context, "db">, actor: Actor, id: string) {
  const env = /^[0-9a-f-]{36}$/i.test(id)
    ? await ctx.db.environment.findUnique({ where: { id } })
    : null;
  if (!env || env.ownerId !== actor.userId || !keyAllowsEnvironment(actor, env.id)) {
    throw environmentNotFound();
  }
  return env;
}
